#pragma once
// NumPy arrays from C++ results, shared by the binding files.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

namespace neurodyn::bindings {

// Moves a vector into a NumPy array that owns it: no copy of the data.
template <class T>
pybind11::array_t<T> to_numpy(std::vector<T>&& values, std::vector<pybind11::ssize_t> shape) {
    auto* owned = new std::vector<T>(std::move(values));
    pybind11::capsule owner(owned, [](void* pointer) { delete static_cast<std::vector<T>*>(pointer); });
    return pybind11::array_t<T>(shape, owned->data(), owner);
}

template <class T>
pybind11::array_t<T> to_numpy(std::vector<T>&& values) {
    const auto n = static_cast<pybind11::ssize_t>(values.size());
    return to_numpy(std::move(values), {n});
}

}  // namespace neurodyn::bindings

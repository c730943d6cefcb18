#pragma once
// One error hierarchy for the whole engine.
//
// UserError and its children are mistakes a user can make (a bad value, an unknown
// name, a missing file); their message is meant to be read by that user and names
// what is wrong. InternalError is a bug in neurodyn. Front ends map the user errors
// one-to-one: ValueError/KeyError/FileError become Python's ValueError/KeyError/
// OSError, and the `neurodyn` command exits with status 2 for any UserError.

#include <stdexcept>
#include <string>

namespace neurodyn {

class UserError : public std::runtime_error {
public:
    // `key` is the path of the offending entry in the network description, e.g.
    // "projection[2].delay"; empty when the error is not about one entry.
    explicit UserError(const std::string& message, std::string key = {})
        : std::runtime_error(message), key_(std::move(key)) {}
    const std::string& key() const noexcept { return key_; }

private:
    std::string key_;
};

// A value outside its allowed range, of the wrong type or shape, or NaN.
class ValueError : public UserError {
public:
    using UserError::UserError;
};

// A name that is not known: a model, a parameter, a population, a receptor port.
class KeyError : public UserError {
public:
    using UserError::UserError;
};

// A file that cannot be read or written.
class FileError : public UserError {
public:
    using UserError::UserError;
};

// A network that does not fit in the memory allowed for it.
class MemoryLimitError : public UserError {
public:
    using UserError::UserError;
};

// The run was interrupted (Ctrl-C); the network is left in a consistent state.
class Interrupted : public UserError {
public:
    using UserError::UserError;
};

// A broken invariant inside neurodyn: never the user's fault.
class InternalError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

}  // namespace neurodyn

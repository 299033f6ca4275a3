#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics/Frame.h"

namespace poolscope {

// A suppressions file that cannot be read or holds a line it does not understand: the message
// names the file and the line.
class LeakSuppressionsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Leaks a person chose not to be told about, in LeakSanitizer's format, so the files people keep
// for LSan work here too: one `leak:PATTERN` a line, `#` starting a comment, blank lines ignored.
// A pattern matches a stack when it matches the function, source file or module of any of its
// frames; as in LSan, `*` stands for any run of characters, `^` anchors it at the start and `$`
// at the end, and an unanchored pattern may match anywhere in the name.
class LeakSuppressions {
public:
    LeakSuppressions() = default;
    // `origin` names the text in errors (a file's path).
    static LeakSuppressions parse(std::string_view text, const std::string& origin);
    static LeakSuppressions load(const std::string& path);

    bool empty() const { return patterns_.empty(); }
    const std::vector<std::string>& patterns() const { return patterns_; }
    // The first pattern that matches a frame of `stack`, or null.
    const std::string* match(const std::vector<Frame>& stack) const;

    static bool patternMatches(std::string_view pattern, std::string_view name);

private:
    std::vector<std::string> patterns_;
};

}  // namespace poolscope

#include "native/LeakSuppressions.h"

#include <fstream>
#include <sstream>

namespace poolscope {

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

// Whether `pattern`, with `*` for any run of characters, matches the start of `name`, and with
// `anchoredEnd` all of it.
bool matchesFrom(std::string_view pattern, std::string_view name, bool anchoredEnd) {
    const auto star = pattern.find('*');
    const std::string_view head = pattern.substr(0, star);
    if (name.substr(0, head.size()) != head) {
        return false;
    }
    if (star == std::string_view::npos) {
        return !anchoredEnd || name.size() == head.size();
    }
    const std::string_view rest = pattern.substr(star + 1);
    for (std::size_t start = head.size(); start <= name.size(); ++start) {
        if (matchesFrom(rest, name.substr(start), anchoredEnd)) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool LeakSuppressions::patternMatches(std::string_view pattern, std::string_view name) {
    if (pattern.empty() || name.empty()) {
        return false;
    }
    const bool anchoredStart = pattern.front() == '^';
    if (anchoredStart) {
        pattern.remove_prefix(1);
    }
    const bool anchoredEnd = !pattern.empty() && pattern.back() == '$';
    if (anchoredEnd) {
        pattern.remove_suffix(1);
    }
    if (anchoredStart) {
        return matchesFrom(pattern, name, anchoredEnd);
    }
    for (std::size_t start = 0; start <= name.size(); ++start) {
        if (matchesFrom(pattern, name.substr(start), anchoredEnd)) {
            return true;
        }
    }
    return false;
}

LeakSuppressions LeakSuppressions::parse(std::string_view text, const std::string& origin) {
    LeakSuppressions suppressions;
    std::size_t lineNumber = 0;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        ++lineNumber;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        line = trimmed(line);
        if (line.empty()) {
            continue;
        }
        constexpr std::string_view kLeak = "leak:";
        const std::string_view pattern =
            line.starts_with(kLeak) ? trimmed(line.substr(kLeak.size())) : std::string_view();
        if (pattern.empty()) {
            std::ostringstream message;
            message << origin << ":" << lineNumber << ": expected 'leak:PATTERN', found '" << line
                    << "'";
            throw LeakSuppressionsError(message.str());
        }
        suppressions.patterns_.emplace_back(pattern);
    }
    return suppressions;
}

LeakSuppressions LeakSuppressions::load(const std::string& path) {
    std::ifstream file(path);
    if (!file) {
        throw LeakSuppressionsError("cannot read the suppressions file " + path);
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parse(text.str(), path);
}

const std::string* LeakSuppressions::match(const std::vector<Frame>& stack) const {
    for (const std::string& pattern : patterns_) {
        for (const Frame& frame : stack) {
            if (patternMatches(pattern, frame.function) || patternMatches(pattern, frame.file) ||
                patternMatches(pattern, frame.module)) {
                return &pattern;
            }
        }
    }
    return nullptr;
}

}  // namespace poolscope

#include "native/ProcText.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "native/ProcError.h"

namespace poolscope {

namespace {

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::optional<std::uint64_t> wholeNumber(std::string_view text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc() || stop != end) {
        return std::nullopt;
    }
    return value;
}

// One "Key: value" line of a /proc file, with where it is for the messages.
struct Field {
    std::string_view key;
    std::string_view value;
    int line = 0;
    std::string_view text;
};

[[noreturn]] void refuse(std::string_view file, const Field& field, std::string_view problem) {
    throw ProcError(ProcError::Kind::Malformed,
                    std::string(file) + " line " + std::to_string(field.line) + ": '" +
                        std::string(field.text) + "' " + std::string(problem));
}

[[noreturn]] void refuseMissing(std::string_view file, std::string_view key) {
    throw ProcError(ProcError::Kind::Malformed,
                    std::string(file) + ": no " + std::string(key) + " line");
}

// Calls visit(field) for each non-empty line from line number `firstLine` on; a line without
// a colon is refused.
template <typename Visit>
void forEachField(std::string_view file, std::string_view text, int firstLine, Visit visit) {
    int line = firstLine - 1;
    while (!text.empty()) {
        ++line;
        const auto end = text.find('\n');
        const std::string_view content = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (trimmed(content).empty()) {
            continue;
        }
        Field field{{}, {}, line, content};
        const auto colon = content.find(':');
        if (colon == std::string_view::npos) {
            refuse(file, field, "has no ':'");
        }
        field.key = trimmed(content.substr(0, colon));
        field.value = trimmed(content.substr(colon + 1));
        visit(field);
    }
}

std::uint64_t kilobytesAsBytes(std::string_view file, const Field& field) {
    constexpr std::string_view kUnit = " kB";
    const bool hasUnit = field.value.size() > kUnit.size() && field.value.ends_with(kUnit);
    const auto kilobytes =
        hasUnit ? wholeNumber(trimmed(field.value.substr(0, field.value.size() - kUnit.size())))
                : std::nullopt;
    if (!kilobytes || *kilobytes > std::numeric_limits<std::uint64_t>::max() / 1024) {
        refuse(file, field, "is not a size in kB");
    }
    return *kilobytes * 1024;
}

// A figure the file must hold, read once it was seen.
struct Required {
    std::string_view key;
    std::optional<std::uint64_t> value;
};

std::uint64_t valueOf(std::string_view file, const Required& figure) {
    if (!figure.value) {
        refuseMissing(file, figure.key);
    }
    return *figure.value;
}

}  // namespace

ProcStatusFigures ProcText::parseStatus(std::string_view text) {
    constexpr std::string_view kFile = "status";
    ProcStatusFigures figures;
    Required resident{"VmRSS", {}};
    Required anonymous{"RssAnon", {}};
    Required fileBacked{"RssFile", {}};
    Required shared{"RssShmem", {}};
    Required swap{"VmSwap", {}};
    Required threads{"Threads", {}};
    bool named = false;
    bool zombie = false;
    forEachField(kFile, text, 1, [&](const Field& field) {
        if (field.key == "Name") {
            figures.name = std::string(field.value);
            named = true;
        } else if (field.key == "State") {
            zombie = field.value.starts_with('Z');
        } else if (field.key == "Threads") {
            threads.value = wholeNumber(field.value);
            if (!threads.value || *threads.value > std::numeric_limits<std::uint32_t>::max()) {
                refuse(kFile, field, "is not a number of threads");
            }
        } else {
            for (Required* figure : {&resident, &anonymous, &fileBacked, &shared, &swap}) {
                if (field.key == figure->key) {
                    figure->value = kilobytesAsBytes(kFile, field);
                }
            }
        }
    });
    if (!named) {
        refuseMissing(kFile, "Name");
    }
    // The kernel writes the memory lines only while the process has its address space: a
    // zombie has none, nor a process on its way out past the point where it let go of it.
    const bool noMemoryLines =
        !resident.value && !anonymous.value && !fileBacked.value && !shared.value && !swap.value;
    if (zombie || noMemoryLines) {
        figures.exited = true;
        return figures;
    }
    figures.residentBytes = valueOf(kFile, resident);
    figures.anonymousBytes = valueOf(kFile, anonymous);
    figures.fileBytes = valueOf(kFile, fileBacked);
    figures.sharedMemoryBytes = valueOf(kFile, shared);
    figures.swapBytes = valueOf(kFile, swap);
    figures.threads = static_cast<std::uint32_t>(valueOf(kFile, threads));
    return figures;
}

ProcRollupFigures ProcText::parseSmapsRollup(std::string_view text) {
    constexpr std::string_view kFile = "smaps_rollup";
    const auto headerEnd = text.find('\n');
    const std::string_view header = trimmed(text.substr(0, headerEnd));
    if (header.empty()) {
        throw ProcError(ProcError::Kind::Malformed, "smaps_rollup is empty");
    }
    if (!header.ends_with("[rollup]")) {
        refuse(kFile, Field{{}, {}, 1, header}, "is not the [rollup] header");
    }
    const std::string_view body =
        headerEnd == std::string_view::npos ? std::string_view() : text.substr(headerEnd + 1);
    Required resident{"Rss", {}};
    Required proportional{"Pss", {}};
    Required anonymous{"Anonymous", {}};
    Required swap{"Swap", {}};
    Required proportionalAnonymous{"Pss_Anon", {}};
    Required proportionalFile{"Pss_File", {}};
    forEachField(kFile, body, 2, [&](const Field& field) {
        for (Required* figure : {&resident, &proportional, &anonymous, &swap,
                                 &proportionalAnonymous, &proportionalFile}) {
            if (field.key == figure->key) {
                figure->value = kilobytesAsBytes(kFile, field);
            }
        }
    });
    ProcRollupFigures figures;
    figures.residentBytes = valueOf(kFile, resident);
    figures.proportionalBytes = valueOf(kFile, proportional);
    figures.anonymousBytes = valueOf(kFile, anonymous);
    figures.swapBytes = valueOf(kFile, swap);
    figures.proportionalAnonymousBytes = proportionalAnonymous.value;
    figures.proportionalFileBytes = proportionalFile.value;
    return figures;
}

std::uint64_t ProcText::parseStatStartBrk(std::string_view text) {
    constexpr int kStartBrkField = 47;
    const auto close = text.rfind(')');
    if (close == std::string_view::npos) {
        throw ProcError(ProcError::Kind::Malformed, "stat: no ')' after the command name");
    }
    // Field 3 (the state) is the first after the command name.
    std::string_view rest = text.substr(close + 1);
    for (int field = 3;; ++field) {
        const auto first = rest.find_first_not_of(" \n");
        if (first == std::string_view::npos) {
            throw ProcError(ProcError::Kind::Malformed,
                            "stat: " + std::to_string(field - 3) +
                                " fields after the command name; start_brk is field " +
                                std::to_string(kStartBrkField));
        }
        rest.remove_prefix(first);
        const auto end = std::min(rest.find_first_of(" \n"), rest.size());
        if (field == kStartBrkField) {
            if (const auto value = wholeNumber(rest.substr(0, end))) {
                return *value;
            }
            throw ProcError(ProcError::Kind::Malformed, "stat field 47 (start_brk): '" +
                                                            std::string(rest.substr(0, end)) +
                                                            "' is not a number");
        }
        rest.remove_prefix(end);
    }
}

}  // namespace poolscope

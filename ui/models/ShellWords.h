#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace poolscope {

// One line of arguments split into words as a POSIX shell splits them, without expanding
// anything: blanks separate words, 'single quotes' keep everything, "double quotes" keep all
// but \" \\ \$ \` (which lose their backslash), and a backslash outside quotes keeps the next
// character. Null for a quote left open or a line ending in a lone backslash.
class ShellWords {
public:
    static std::optional<QStringList> split(const QString& line);
};

}  // namespace poolscope

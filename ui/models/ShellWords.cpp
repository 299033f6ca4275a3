#include "models/ShellWords.h"

namespace poolscope {

std::optional<QStringList> ShellWords::split(const QString& line) {
    QStringList words;
    QString word;
    bool inWord = false;  // "" is a word of its own
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (c == u' ' || c == u'\t' || c == u'\n') {
            if (inWord) {
                words.append(std::exchange(word, QString()));
                inWord = false;
            }
            continue;
        }
        inWord = true;
        if (c == u'\\') {
            if (++i >= line.size()) {
                return std::nullopt;
            }
            word += line[i];
        } else if (c == u'\'') {
            const qsizetype end = line.indexOf(u'\'', i + 1);
            if (end < 0) {
                return std::nullopt;
            }
            word += line.mid(i + 1, end - i - 1);
            i = end;
        } else if (c == u'"') {
            for (++i;; ++i) {
                if (i >= line.size()) {
                    return std::nullopt;
                }
                const QChar q = line[i];
                if (q == u'"') {
                    break;
                }
                if (q == u'\\' && i + 1 < line.size() &&
                    QStringLiteral("\"\\$`").contains(line[i + 1])) {
                    word += line[++i];
                } else {
                    word += q;
                }
            }
        } else {
            word += c;
        }
    }
    if (inWord) {
        words.append(word);
    }
    return words;
}

}  // namespace poolscope

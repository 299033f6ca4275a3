#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

namespace poolscope {

// The stacks whose allocations the leak hunter chose to hide, by signature (their functions,
// one a line), kept in the application's settings so that they stay hidden in later sessions.
class StackSuppressions {
public:
    // Reads the saved suppressions.
    StackSuppressions();

    // The settings key they are kept under.
    static QString settingsKey();

    const QSet<QString>& signatures() const { return signatures_; }
    // Sorted, as a menu lists them.
    QStringList sortedSignatures() const;
    bool isEmpty() const { return signatures_.isEmpty(); }
    qsizetype size() const { return signatures_.size(); }

    // Each saves at once.
    void add(const QString& signature);
    void remove(const QString& signature);
    void clear();

private:
    void save() const;

    QSet<QString> signatures_;
};

}  // namespace poolscope

#include "models/StackSuppressions.h"

#include <QSettings>

namespace poolscope {

StackSuppressions::StackSuppressions() {
    const QStringList saved = QSettings().value(settingsKey()).toStringList();
    signatures_ = QSet<QString>(saved.begin(), saved.end());
}

QString StackSuppressions::settingsKey() {
    return QStringLiteral("LeakView/suppressedStacks");
}

QStringList StackSuppressions::sortedSignatures() const {
    QStringList list(signatures_.begin(), signatures_.end());
    list.sort();
    return list;
}

void StackSuppressions::add(const QString& signature) {
    signatures_.insert(signature);
    save();
}

void StackSuppressions::remove(const QString& signature) {
    signatures_.remove(signature);
    save();
}

void StackSuppressions::clear() {
    signatures_.clear();
    save();
}

void StackSuppressions::save() const {
    const QStringList list = sortedSignatures();
    QSettings settings;
    if (list.isEmpty()) {
        settings.remove(settingsKey());
    } else {
        settings.setValue(settingsKey(), list);
    }
}

}  // namespace poolscope

// The leak hunter's suppressed stacks: kept in the settings at every change, so that a later
// session hides the same stacks, and gone from the settings once none is left.

#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include "models/StackSuppressions.h"

using namespace poolscope;

namespace {

const QString kFirst = QStringLiteral("makeThumbnail\nmain");
const QString kSecond = QStringLiteral("decode\nloadImage\nmain");

}  // namespace

class StackSuppressionsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().remove(StackSuppressions::settingsKey()); }

    void suppressions_added_areThereInALaterSession() {
        {
            StackSuppressions suppressions;
            QVERIFY(suppressions.isEmpty());
            suppressions.add(kSecond);
            suppressions.add(kFirst);
        }
        const StackSuppressions later;
        QCOMPARE(later.size(), qsizetype{2});
        QVERIFY(later.signatures().contains(kFirst));
        QVERIFY(later.signatures().contains(kSecond));
        QCOMPARE(later.sortedSignatures(), (QStringList{kSecond, kFirst}));
    }

    void suppressions_removed_staysRemoved() {
        {
            StackSuppressions suppressions;
            suppressions.add(kFirst);
            suppressions.add(kSecond);
            suppressions.remove(kFirst);
        }
        const StackSuppressions later;
        QCOMPARE(later.sortedSignatures(), QStringList{kSecond});
    }

    void suppressions_cleared_leaveNoSettingBehind() {
        StackSuppressions suppressions;
        suppressions.add(kFirst);
        QVERIFY(QSettings().contains(StackSuppressions::settingsKey()));
        suppressions.clear();
        QVERIFY(suppressions.isEmpty());
        QVERIFY(!QSettings().contains(StackSuppressions::settingsKey()));
        QVERIFY(StackSuppressions().isEmpty());
    }
};

QTEST_MAIN(StackSuppressionsTest)
#include "StackSuppressionsTest.moc"

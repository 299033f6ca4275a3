// The Launch dialog's arguments line is split as a shell splits it.

#include <QtTest>

#include "models/ShellWords.h"

using namespace poolscope;

class ShellWordsTest : public QObject {
    Q_OBJECT

private slots:
    void split_separatesWordsOnBlanks() {
        QCOMPARE(
            ShellWords::split(QStringLiteral("  -n 3\t--verbose  ")),
            QStringList({QStringLiteral("-n"), QStringLiteral("3"), QStringLiteral("--verbose")}));
        QCOMPARE(ShellWords::split(QString()), QStringList());
    }

    void split_keepsQuotedBlanksAndJoinsAdjacentParts() {
        QCOMPARE(ShellWords::split(QStringLiteral("'a b' \"c d\" e' 'f \"\"")),
                 QStringList({QStringLiteral("a b"), QStringLiteral("c d"), QStringLiteral("e f"),
                              QString()}));
    }

    void split_singleQuotesKeepBackslashes_doubleQuotesEscapeOnlyFour() {
        QCOMPARE(ShellWords::split(QStringLiteral("'a\\\"b' \"c\\\"d\\\\e\\nf\" g\\ h")),
                 QStringList({QStringLiteral("a\\\"b"), QStringLiteral("c\"d\\e\\nf"),
                              QStringLiteral("g h")}));
    }

    void split_refusesAnOpenQuoteOrATrailingBackslash() {
        QVERIFY(!ShellWords::split(QStringLiteral("'open")).has_value());
        QVERIFY(!ShellWords::split(QStringLiteral("\"open")).has_value());
        QVERIFY(!ShellWords::split(QStringLiteral("end\\")).has_value());
    }
};

QTEST_MAIN(ShellWordsTest)
#include "ShellWordsTest.moc"

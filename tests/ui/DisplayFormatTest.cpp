// The one way the window writes sizes, addresses, counts and tiers: sizes 1024-based with
// KiB, MiB and GiB, the same wherever they are shown.

#include <QLocale>
#include <QtTest>

#include "models/DisplayFormat.h"

using namespace poolscope;

class DisplayFormatTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void bytes_areCountedIn1024s() {
        QCOMPARE(DisplayFormat::bytes(512), QStringLiteral("512 bytes"));
        QCOMPARE(DisplayFormat::bytes(1536), QStringLiteral("1.5 KiB"));
        QCOMPARE(DisplayFormat::bytes(4u << 20), QStringLiteral("4.0 MiB"));
        QCOMPARE(DisplayFormat::bytes(std::uint64_t{3} << 30), QStringLiteral("3.0 GiB"));
    }

    void exactBytes_addTheFigureToTheSize() {
        QCOMPARE(DisplayFormat::exactBytes(4u << 20), QStringLiteral("4.0 MiB (4,194,304 B)"));
    }

    void mebibyteSuffix_namesTheUnitAsTheSizesDo() {
        QVERIFY(DisplayFormat::bytes(1u << 20).endsWith(DisplayFormat::mebibyteSuffix()));
    }

    void address_isHex() {
        QCOMPARE(DisplayFormat::address(0x10400000), QStringLiteral("0x10400000"));
    }

    void count_groupsItsDigits() {
        QCOMPARE(DisplayFormat::count(1234567), QStringLiteral("1,234,567"));
    }

    void tierName_isTheEnginesName() {
        QCOMPARE(DisplayFormat::tierName(MemoryTier::Pooled), QStringLiteral("pooled"));
        QCOMPARE(DisplayFormat::tierName(MemoryTier::Unpooled), QStringLiteral("unpooled"));
    }

    void tierDescription_saysWhereTheMemoryComesFrom() {
        QVERIFY(DisplayFormat::tierDescription(MemoryTier::Small)
                    .contains(QStringLiteral("small-buffer pool")));
        QVERIFY(DisplayFormat::tierDescription(MemoryTier::Managed)
                    .contains(QStringLiteral("managed heap")));
    }
};

QTEST_MAIN(DisplayFormatTest)
#include "DisplayFormatTest.moc"

// The leak table as CSV, without a view: fields quoted as RFC 4180 asks and only then, one
// record per row in the order given, and a reason when the file cannot be written.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include "models/CsvWriter.h"
#include "models/LeakCsvExport.h"
#include "models/LeakTableModel.h"

using namespace poolscope;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::uint16_t kAwkwardTag = 7;
const QString kAwkwardTagName = QStringLiteral("cache, \"big\"\nsecond line");

QString readAll(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

// Two live allocations: #4 of 4 MiB, pooled, tagged awkwardly, made at 1 s; #9 of 512 B,
// small, released without dispose, made at 3 s. The table's clock stands at 5 s.
void fill(LeakTableModel& model) {
    auto table = std::make_shared<AllocationTable>();
    LiveAllocation big;
    big.id = 4;
    big.bytes = 4u << 20;
    big.createdNanoseconds = kSecond;
    big.threadId = 2;
    big.tagId = kAwkwardTag;
    big.tier = MemoryTier::Pooled;
    LiveAllocation small;
    small.id = 9;
    small.bytes = 512;
    small.createdNanoseconds = 3 * kSecond;
    small.threadId = 5;
    small.tier = MemoryTier::Small;
    small.releasedWithoutDispose = true;
    table->rows = {big, small};
    auto stacks = std::make_shared<StackCatalog>();
    stacks->tagNames[kAwkwardTag] = kAwkwardTagName;
    model.setData(table, stacks, 5 * kSecond);
}

}  // namespace

class LeakCsvExportTest : public QObject {
    Q_OBJECT

private slots:
    void csvField_isQuotedOnlyWhenItHoldsASeparatorAQuoteOrALineBreak() {
        QCOMPARE(CsvWriter::field(QStringLiteral("plain text")), QStringLiteral("plain text"));
        QCOMPARE(CsvWriter::field(QStringLiteral("a,b")), QStringLiteral("\"a,b\""));
        QCOMPARE(CsvWriter::field(QStringLiteral("say \"hi\"")),
                 QStringLiteral("\"say \"\"hi\"\"\""));
        QCOMPARE(CsvWriter::field(QStringLiteral("one\ntwo")), QStringLiteral("\"one\ntwo\""));
        QCOMPARE(CsvWriter::field(QStringLiteral("one\rtwo")), QStringLiteral("\"one\rtwo\""));
        QCOMPARE(CsvWriter::field(QString()), QString());
    }

    void csvWriter_writesOneRecordALine() {
        const QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("out.csv"));
        CsvWriter writer(path);
        QVERIFY(writer.open());
        writer.writeRecord({QStringLiteral("a"), QStringLiteral("b,c")});
        writer.writeRecord({QStringLiteral("1"), QString(), QStringLiteral("3")});
        QVERIFY(writer.commit());
        QCOMPARE(readAll(path), QStringLiteral("a,\"b,c\"\n1,,3\n"));
    }

    void csvWriter_unwritablePath_failsWithAReason() {
        const QTemporaryDir directory;
        CsvWriter writer(directory.filePath(QStringLiteral("missing/dir/out.csv")));
        QVERIFY(!writer.open());
        QVERIFY(!writer.errorString().isEmpty());
    }

    void leakCsvExport_writesTheHeaderThenTheRowsInTheOrderGiven() {
        LeakTableModel model;
        fill(model);
        const QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("leaks.csv"));
        QVERIFY(LeakCsvExport::write(path, model, {1, 0}));
        const QString expected = QStringLiteral(
            "id,bytes,tier,image,thread,age_seconds,tag,top_frame,released_without_dispose\n"
            "9,512,small,,5,2.000,,(no stack captured),true\n"
            "4,4194304,pooled,,2,4.000,\"cache, \"\"big\"\"\nsecond line\",(no stack "
            "captured),false\n");
        QCOMPARE(readAll(path), expected);
    }

    void leakCsvExport_recordHoldsTheRawFigures() {
        LeakTableModel model;
        fill(model);
        const QStringList record = LeakCsvExport::record(model, model.allocationAt(0));
        QCOMPARE(record.size(), LeakCsvExport::header().size());
        QCOMPARE(record[0], QStringLiteral("4"));
        QCOMPARE(record[1], QStringLiteral("4194304"));
        QCOMPARE(record[6], kAwkwardTagName);
    }

    void leakCsvExport_unwritablePath_saysWhy() {
        LeakTableModel model;
        fill(model);
        const QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("missing/dir/leaks.csv"));
        QString error;
        QVERIFY(!LeakCsvExport::write(path, model, {0}, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
    }
};

QTEST_MAIN(LeakCsvExportTest)
#include "LeakCsvExportTest.moc"

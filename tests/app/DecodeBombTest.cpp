#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "HostilePng.h"
#include "PoolscopeProcess.h"

// A 65-byte PNG whose header claims 2147483647 x 1 RGBA pixels, decoded by a real batch-resize
// run that may use at most 1 GiB of data memory: the refusal must come from the header check,
// before libpng or the pool spend anything, or the run fails with an out-of-memory error.
class DecodeBombTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        prlimit_ = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
        QVERIFY2(!prlimit_.isEmpty(), "prlimit (util-linux) is needed to cap the run's memory");
    }

    void pngBomb_isRefusedByThePixelLimit_withinOneGibibyte() {
        const QString error = failureOfBomb({});
        QVERIFY2(error.contains(QStringLiteral("degenerate dimensions: 2147483647x1. '")),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("2147483647 pixels exceed the decode limit of "
                                               "268435456 pixels")),
                 qPrintable(error));
    }

    void pngBomb_overAnyPixelLimit_isRefusedByTheGroupLimit_withinOneGibibyte() {
        const QString error =
            failureOfBomb({QStringLiteral("--param"), QStringLiteral("max-pixels=1099511627776")});
        QVERIFY2(error.contains(QStringLiteral("decoding needs 8589934588 bytes; the allocator's "
                                               "group limit is 4294967296 bytes.")),
                 qPrintable(error));
    }

private:
    // Runs batch-resize over a folder holding only the bomb, under a 1 GiB data limit, and
    // returns the error the report gives for it.
    QString failureOfBomb(const QStringList& extraArguments) {
        QTemporaryDir directory;
        QFile bomb(directory.filePath(QStringLiteral("input/bomb.png")));
        QDir(directory.path()).mkdir(QStringLiteral("input"));
        const std::vector<std::uint8_t> bytes = poolscope::testing::hostilePng(2147483647u, 1u);
        if (!bomb.open(QIODevice::WriteOnly) ||
            bomb.write(reinterpret_cast<const char*>(bytes.data()),
                       static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size())) {
            return QStringLiteral("could not write the bomb");
        }
        bomb.close();
        const QString report = directory.filePath(QStringLiteral("report.json"));
        QProcess process;
        process.setProcessEnvironment(withoutAnyDisplay());
        process.start(
            prlimit_,
            QStringList{QStringLiteral("--data=1073741824"), QStringLiteral(POOLSCOPE_BINARY),
                        QStringLiteral("run"), QStringLiteral("batch-resize"),
                        QStringLiteral("--param"),
                        QStringLiteral("input=") + directory.filePath(QStringLiteral("input")),
                        QStringLiteral("--param"),
                        QStringLiteral("output=") + directory.filePath(QStringLiteral("output")),
                        QStringLiteral("--report"), report} +
                extraArguments);
        if (!process.waitForFinished(kProcessTimeoutMilliseconds) || process.exitCode() != 0) {
            return QStringLiteral("the run failed: ") +
                   QString::fromLocal8Bit(process.readAllStandardError());
        }
        QFile file(report);
        if (!file.open(QIODevice::ReadOnly)) {
            return QStringLiteral("no report");
        }
        const QJsonObject images = QJsonDocument::fromJson(file.readAll())
                                       .object()
                                       .value(QStringLiteral("images"))
                                       .toObject();
        const QJsonArray failed = images.value(QStringLiteral("failed")).toArray();
        if (failed.size() != 1 || images.value(QStringLiteral("processed")).toInt() != 0) {
            return QStringLiteral("expected exactly one failed image, got: ") +
                   QString::fromUtf8(QJsonDocument(images).toJson());
        }
        return failed.first().toObject().value(QStringLiteral("error")).toString();
    }

    QString prlimit_;
};

QTEST_GUILESS_MAIN(DecodeBombTest)
#include "DecodeBombTest.moc"

#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../fuzz/RecordingReadThrough.h"
#include "RecordingTestSupport.h"
#include "diagnostics/StackTable.h"
#include "recording/RecordingError.h"
#include "recording/RecordingSchema.h"
#include "recording/RecordingWriter.h"

using namespace poolscope;
using namespace poolscope::testing;

namespace {

constexpr auto kPageBytes = static_cast<std::size_t>(RecordingSchema::kPageBytes);

[[gnu::noinline]] StackId stackOfCorpusTest() {
    return captureStack();
}

// Empty when the file opened with an error naming it, or (unless it must be refused) read
// through consistently; otherwise what went wrong.
QString verdict(const std::string& path, bool mustBeRefused = false) {
    try {
        const std::string problem = readThrough(path);
        if (!problem.empty()) {
            return QString::fromStdString("inconsistent: " + problem);
        }
        return mustBeRefused ? QStringLiteral("opened, but must be refused") : QString();
    } catch (const RecordingError& error) {
        const std::string message = error.what();
        return message.find(path) != std::string::npos
                   ? QString()
                   : QString::fromStdString("an error that does not name the file: " + message);
    }
}

std::string bytesOf(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

// Damaged recordings, the checked-in ones (data/make-corrupt-recordings.sh, and what fuzzing
// found) and variants of a real recording made here: each opens with an error that names the
// file or reads through every query the window makes consistently; none crashes.
class RecordingCorpusTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void checkedInCorpus_opensWithANamedErrorOrReadsConsistently() {
        std::vector<std::filesystem::path> corpus;
        for (const auto& entry :
             std::filesystem::directory_iterator(POOLSCOPE_CORRUPT_RECORDINGS)) {
            corpus.push_back(entry.path());
        }
        std::sort(corpus.begin(), corpus.end());
        QVERIFY(corpus.size() >= 5);
        for (const std::filesystem::path& original : corpus) {
            // A copy: opening leaves SQLite's files beside it, never in the source tree.
            const std::string copy = file(original.filename().string());
            std::filesystem::copy_file(original, copy);
            // make-corrupt-recordings.sh names those that must be refused refused-*.
            const bool mustBeRefused = original.filename().string().starts_with("refused-");
            const QString outcome = verdict(copy, mustBeRefused);
            QVERIFY2(outcome.isEmpty(),
                     qPrintable(QString::fromStdString(original.string()) + ": " + outcome));
        }
    }

    void truncatedRecording_opensWithANamedErrorOrReadsConsistently() {
        const std::string whole = bytesOf(realRecording());
        std::vector<std::size_t> sizes = {1, 15, 16, 50, 99, 100, 511, 512, whole.size() - 1};
        for (std::size_t size = kPageBytes - 1; size < whole.size(); size += kPageBytes / 2) {
            sizes.push_back(size);
        }
        for (const std::size_t size : sizes) {
            const std::string path = file("truncated-" + std::to_string(size) + ".psrec");
            writeBytes(path, whole.substr(0, size));
            QVERIFY2(verdict(path).isEmpty(),
                     qPrintable(QString::fromStdString(path) + ": " + verdict(path)));
        }
    }

    void damagedPages_openWithANamedErrorOrReadConsistently() {
        // Each page of a real recording in turn: its b-tree page type, its cell count, its
        // first cell pointers, and all of it garbled or zeroed.
        const std::string whole = bytesOf(realRecording());
        QVERIFY(whole.size() % kPageBytes == 0);
        struct Damage {
            const char* name;
            std::size_t offset;
            std::string bytes;
        };
        const std::vector<Damage> damages = {
            {"type", 0, std::string(1, '\x07')},
            {"cells", 3, std::string(2, '\xff')},
            {"pointers", 8, std::string(8, '\xee')},
            {"garbled", 0, std::string(kPageBytes, '\xa5')},
            {"zeroed", 0, std::string(kPageBytes, '\0')},
        };
        for (std::size_t page = 0; page < whole.size() / kPageBytes; ++page) {
            // Page 1 begins with the database header; its b-tree header follows it.
            const std::size_t start = page * kPageBytes + (page == 0 ? 100 : 0);
            for (const Damage& damage : damages) {
                std::string damaged = whole;
                const std::size_t at = start + damage.offset;
                const std::size_t length =
                    std::min(damage.bytes.size(), (page + 1) * kPageBytes - at);
                damaged.replace(at, length, damage.bytes.substr(0, length));
                const std::string path =
                    file("page-" + std::to_string(page + 1) + "-" + damage.name + ".psrec");
                writeBytes(path, damaged);
                QVERIFY2(verdict(path).isEmpty(),
                         qPrintable(QString::fromStdString(path) + ": " + verdict(path)));
            }
        }
    }

private:
    std::string file(const std::string& name) const {
        return directory_.filePath(QString::fromStdString(name)).toStdString();
    }

    // A finished run with a stack, snapshots and one allocation left behind; a new file for
    // each test, as a recording is never written over another.
    std::string realRecording() {
        const std::string path = file("real-" + std::to_string(++recordingsMade_) + ".psrec");
        std::vector<MemoryEvent> events = sampleEvents(600, stackOfCorpusTest());
        events.erase(events.begin() + 5);  // allocation 3 is never given back
        RecordingWriter writer(path, {{"scenario", "sample"}});
        writer.setPool(7, 16, 4 * 1024 * 1024);
        writer.consume(events);
        writer.finish({{3, "kept", false}}, 0);
        return path;
    }

    QTemporaryDir directory_;
    int recordingsMade_ = 0;
};

QTEST_GUILESS_MAIN(RecordingCorpusTest)
#include "RecordingCorpusTest.moc"

#include <QtTest>

#include <QTemporaryDir>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "recording/PassedIntegrityChecks.h"
#include "recording/RecordingError.h"

using namespace poolscope;
using namespace std::chrono_literals;

// A recording opened again unchanged is not checked again; any change, a check that did not
// finish or found damage, and a file written just before, are checked every time.
class PassedIntegrityChecksTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(directory_.isValid()); }

    void settledFile_isCheckedOnce_untilItChanges() {
        const std::string path = settledFile("settled.psrec", "recording");
        int checks = 0;
        const auto check = counted(checks, true);
        PassedIntegrityChecks::instance().checkOnce(path, check);
        PassedIntegrityChecks::instance().checkOnce(path, check);
        QCOMPARE(checks, 1);
        // Written again: checked again, and not remembered while it was written just now.
        std::ofstream(path, std::ios::app) << "more";
        PassedIntegrityChecks::instance().checkOnce(path, check);
        PassedIntegrityChecks::instance().checkOnce(path, check);
        QCOMPARE(checks, 3);
        settle(path);
        PassedIntegrityChecks::instance().checkOnce(path, check);
        PassedIntegrityChecks::instance().checkOnce(path, check);
        QCOMPARE(checks, 4);
    }

    void fileWrittenJustNow_isCheckedEveryTime() {
        const std::string path = directory_.filePath("fresh.psrec").toStdString();
        std::ofstream(path) << "recording";
        int checks = 0;
        for (int i = 0; i < 3; ++i) {
            PassedIntegrityChecks::instance().checkOnce(path, counted(checks, true));
        }
        QCOMPARE(checks, 3);
    }

    void checkThatRanOutOfTime_isNotRemembered() {
        const std::string path = settledFile("slow.psrec", "recording");
        int checks = 0;
        const auto unfinished = counted(checks, false);
        PassedIntegrityChecks::instance().checkOnce(path, unfinished);
        PassedIntegrityChecks::instance().checkOnce(path, unfinished);
        QCOMPARE(checks, 2);
    }

    void checkThatFoundDamage_throwsEachTime() {
        const std::string path = settledFile("damaged.psrec", "recording");
        int checks = 0;
        const auto damaged = [&checks]() -> bool {
            ++checks;
            throw RecordingError("damaged");
        };
        QVERIFY_THROWS_EXCEPTION(RecordingError,
                                 PassedIntegrityChecks::instance().checkOnce(path, damaged));
        QVERIFY_THROWS_EXCEPTION(RecordingError,
                                 PassedIntegrityChecks::instance().checkOnce(path, damaged));
        QCOMPARE(checks, 2);
    }

    void twoReadersOpeningAtOnce_checkOnce_andBothWaitForIt() {
        const std::string path = settledFile("twice.psrec", "recording");
        std::atomic<int> checks = 0;
        std::atomic<bool> checked = false;
        std::atomic<bool> returnedEarly = false;
        const auto open = [&] {
            PassedIntegrityChecks::instance().checkOnce(path, [&] {
                ++checks;
                std::this_thread::sleep_for(300ms);
                checked = true;
                return true;
            });
            returnedEarly = returnedEarly || !checked;
        };
        std::thread first(open);
        std::thread second(open);
        first.join();
        second.join();
        QCOMPARE(checks.load(), 1);
        QVERIFY(!returnedEarly);
    }

private:
    // A check that counts itself, and finds the file sound, having checked all of it or not.
    static std::function<bool()> counted(int& checks, bool finished) {
        return [&checks, finished] {
            ++checks;
            return finished;
        };
    }

    // A file last written an hour ago.
    std::string settledFile(const char* name, const char* content) const {
        const std::string path = directory_.filePath(name).toStdString();
        std::ofstream(path) << content;
        settle(path);
        return path;
    }

    static void settle(const std::string& path) {
        std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - 1h);
    }

    QTemporaryDir directory_;
};

QTEST_GUILESS_MAIN(PassedIntegrityChecksTest)
#include "PassedIntegrityChecksTest.moc"

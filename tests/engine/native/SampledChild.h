#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include <sys/types.h>

// The sampled program (SampledProgram.cpp, POOLSCOPE_SAMPLED_PROGRAM), started and steered by
// a test: it waits for "grow" to take 64 MiB and 10 descriptors, and for "quit" to exit.
class SampledChild {
public:
    static constexpr qint64 kGrowthBytes = qint64{64} << 20;
    static constexpr int kOpenedDescriptors = 10;
    static constexpr int kTimeoutMilliseconds = 60'000;

    ~SampledChild() {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(kTimeoutMilliseconds);
        }
    }

    // True once it said "ready".
    bool start(const QStringList& arguments = {}) {
        process_.start(QStringLiteral(POOLSCOPE_SAMPLED_PROGRAM), arguments);
        return process_.waitForStarted(kTimeoutMilliseconds) && waitFor("ready");
    }

    pid_t pid() const { return static_cast<pid_t>(process_.processId()); }

    // True once it said "grown": the memory is touched and the descriptors are open.
    bool grow() {
        process_.write("grow\n");
        return waitFor("grown");
    }

    // True once it exited and was reaped.
    bool quit() {
        process_.write("quit\n");
        process_.closeWriteChannel();
        return process_.waitForFinished(kTimeoutMilliseconds);
    }

private:
    bool waitFor(const char* line) {
        const QByteArray wanted = QByteArray(line) + '\n';
        while (!process_.canReadLine()) {
            if (!process_.waitForReadyRead(kTimeoutMilliseconds)) {
                return false;
            }
        }
        return process_.readLine() == wanted;
    }

    QProcess process_;
};

#include <QtTest>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "base/Clock.h"
#include "native/ProcError.h"
#include "native/ProcProcess.h"
#include "native/ProcSampler.h"
#include "native/ProcessList.h"
#include "native/SampledChild.h"

using namespace poolscope;

namespace {

constexpr std::chrono::milliseconds kInterval{20};
constexpr std::chrono::milliseconds kPatience{60'000};
// The child touches 64 MiB: its RSS grows by at least 60 of them (a few pages may be counted
// late) and by far less than 128.
constexpr std::uint64_t kLeastGrowth = std::uint64_t{60} << 20;
constexpr std::uint64_t kMostGrowth = std::uint64_t{128} << 20;

// Drains until a sample taken after `after` (engine clock) is in; that sample, or none when
// sampling ended first.
std::optional<ProcSample> sampleAfter(ProcSampler& sampler, std::int64_t after) {
    const auto giveUp = std::chrono::steady_clock::now() + kPatience;
    std::vector<ProcSample> samples;
    while (std::chrono::steady_clock::now() < giveUp) {
        sampler.waitForSamples(kInterval * 10);
        samples.clear();
        sampler.drain(samples);
        const auto found = std::find_if(samples.begin(), samples.end(), [after](const auto& s) {
            return s.timeNanoseconds > after;
        });
        if (found != samples.end()) {
            return *found;
        }
        if (sampler.ended()) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

ProcError::Kind kindOf(const auto& read) {
    try {
        read();
    } catch (const ProcError& error) {
        return error.kind();
    }
    return ProcError::Kind::Malformed;
}

}  // namespace

class ProcSamplerTest : public QObject {
    Q_OBJECT

private slots:
    void sampler_seesTheChildGrowAndOpenDescriptors();
    void sampler_readsPssAtItsOwnSlowerRate();
    void sampler_endsWhenTheProcessExits();
    void process_readsFailOnceItExited();
    void process_refusesAnotherUsersProcess();
    void process_refusesAPidWithNoProcess();
    void processList_namesTheChild();
};

void ProcSamplerTest::sampler_seesTheChildGrowAndOpenDescriptors() {
    SampledChild child;
    QVERIFY(child.start());
    ProcSampler sampler(std::make_unique<ProcProcess>(child.pid()), {kInterval, 1024, kInterval});
    const auto before = sampleAfter(sampler, monotonicNanoseconds());
    QVERIFY(before.has_value());
    QVERIFY(child.grow());
    const auto after = sampleAfter(sampler, monotonicNanoseconds());
    QVERIFY(after.has_value());

    const std::uint64_t growth = after->status.residentBytes - before->status.residentBytes;
    QVERIFY2(growth >= kLeastGrowth && growth < kMostGrowth, QByteArray::number(growth));
    QVERIFY(after->status.anonymousBytes - before->status.anonymousBytes >= kLeastGrowth);
    QVERIFY(after->rollup.proportionalBytes - before->rollup.proportionalBytes >= kLeastGrowth);
    QCOMPARE(after->descriptors, before->descriptors + SampledChild::kOpenedDescriptors);
    QCOMPARE(after->status.name, std::string("poolscope_sampl"));
    QCOMPARE(after->rollupTimeNanoseconds, after->timeNanoseconds);
    QVERIFY(!sampler.ended());
}

void ProcSamplerTest::sampler_readsPssAtItsOwnSlowerRate() {
    SampledChild child;
    QVERIFY(child.start());
    constexpr std::chrono::milliseconds kHour{3'600'000};
    ProcSampler sampler(std::make_unique<ProcProcess>(child.pid()), {kInterval, 1024, kHour});
    const auto first = sampleAfter(sampler, monotonicNanoseconds());
    QVERIFY(first.has_value());
    const auto later = sampleAfter(sampler, first->timeNanoseconds);
    QVERIFY(later.has_value());
    QVERIFY(later->timeNanoseconds > first->timeNanoseconds);
    QCOMPARE(later->rollupTimeNanoseconds, first->rollupTimeNanoseconds);
    QCOMPARE(later->rollup.proportionalBytes, first->rollup.proportionalBytes);
}

void ProcSamplerTest::sampler_endsWhenTheProcessExits() {
    SampledChild child;
    QVERIFY(child.start());
    const pid_t pid = child.pid();
    ProcSampler sampler(std::make_unique<ProcProcess>(pid), {kInterval, 1024});
    QVERIFY(sampleAfter(sampler, monotonicNanoseconds()).has_value());
    QVERIFY(child.quit());
    QVERIFY(!sampleAfter(sampler, monotonicNanoseconds()).has_value());
    QVERIFY(sampler.ended());
    const auto error = sampler.endError();
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), ProcError::Kind::Exited);
    QCOMPARE(QString::fromStdString(error->what()), QStringLiteral("process %1 exited").arg(pid));
}

void ProcSamplerTest::process_readsFailOnceItExited() {
    SampledChild child;
    QVERIFY(child.start());
    const ProcProcess process(child.pid());
    QCOMPARE(process.status().name, std::string("poolscope_sampl"));
    QVERIFY(child.quit());
    // Reaped: its PID is free for the next process, and the directory held open still
    // answers for the one that exited.
    QCOMPARE(kindOf([&] { process.status(); }), ProcError::Kind::Exited);
    QCOMPARE(kindOf([&] { process.sample(); }), ProcError::Kind::Exited);
    QCOMPARE(kindOf([&] { process.countDescriptors(); }), ProcError::Kind::Exited);
}

void ProcSamplerTest::process_refusesAnotherUsersProcess() {
    constexpr uid_t kNobody = 65534;
    SampledChild child;
    pid_t other = 1;  // init, root's, for a user who is not root
    if (getuid() == 0) {
        QVERIFY(child.start({QStringLiteral("--become-user"), QString::number(kNobody)}));
        other = child.pid();
    }
    QCOMPARE(kindOf([&] { ProcProcess process(other); }), ProcError::Kind::NotYours);
}

void ProcSamplerTest::process_refusesAPidWithNoProcess() {
    // Above any pid_max the kernel allows (2^22).
    QCOMPARE(kindOf([] { ProcProcess process(2'000'000'000); }), ProcError::Kind::NoSuchProcess);
    QCOMPARE(kindOf([] { ProcProcess process(0); }), ProcError::Kind::NoSuchProcess);
}

void ProcSamplerTest::processList_namesTheChild() {
    SampledChild child;
    QVERIFY(child.start({QStringLiteral("--listed")}));
    const std::vector<ListedProcess> processes = ProcessList::ofThisUser();
    const auto found = std::find_if(processes.begin(), processes.end(),
                                    [&](const ListedProcess& p) { return p.pid == child.pid(); });
    QVERIFY(found != processes.end());
    QCOMPARE(found->name, std::string("poolscope_sampl"));
    QVERIFY(QString::fromStdString(found->commandLine).endsWith(QStringLiteral(" --listed")));
    QVERIFY(found->residentBytes > 0);
    QVERIFY(std::is_sorted(processes.begin(), processes.end(),
                           [](const auto& a, const auto& b) { return a.pid < b.pid; }));
}

QTEST_GUILESS_MAIN(ProcSamplerTest)
#include "ProcSamplerTest.moc"

#include <QtTest>
#include <QtWidgets>

#include "native/SampledChild.h"
#include "session/EngineSession.h"
#include "views/AttachActions.h"
#include "views/AttachDialog.h"
#include "views/MainWindow.h"
#include "views/ProcessLanesView.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr int kWaitMilliseconds = 60'000;
// The child touches 64 MiB: its RSS grows by at least 60 of them.
constexpr double kLeastGrowthMiB = 60.0;

QTreeWidgetItem* listedProcess(const AttachDialog& dialog, pid_t pid) {
    auto* processes = dialog.findChild<QTreeWidget*>(QStringLiteral("processes"));
    for (int row = 0; row < processes->topLevelItemCount(); ++row) {
        if (processes->topLevelItem(row)->text(1) == QString::number(pid)) {
            return processes->topLevelItem(row);
        }
    }
    return nullptr;
}

}  // namespace

// File > Attach… for a process without the live link: sampled from /proc onto the timeline.
class ProcessAttachTest : public QObject {
    Q_OBJECT

private slots:
    void attachDialog_listsAStartedChildToSample();
    void sampling_drawsTheChildsLanesOnTheTimelineUntilItExits();
    void sampling_aProcessThatDoesNotExistSaysSo();
};

void ProcessAttachTest::attachDialog_listsAStartedChildToSample() {
    SampledChild child;
    QVERIFY(child.start());
    AttachDialog dialog;
    QSignalSpy listed(&dialog, &AttachDialog::listed);
    QVERIFY(listed.wait(kWaitMilliseconds));
    QVERIFY(dialog.processCount() > 0);
    QTreeWidgetItem* item = listedProcess(dialog, child.pid());
    QVERIFY(item != nullptr);
    QCOMPARE(item->text(0), QStringLiteral("poolscope_sampl"));
    QVERIFY(item->text(3).endsWith(QStringLiteral("poolscope_sampled_program")));

    auto* filter = dialog.findChild<QLineEdit*>(QStringLiteral("processFilter"));
    filter->setText(QStringLiteral("no process is called this"));
    QVERIFY(item->isHidden());
    filter->setText(QStringLiteral("POOLSCOPE_SAMPL"));
    QVERIFY(!item->isHidden());

    item->treeWidget()->setCurrentItem(item);
    QCOMPARE(dialog.selectedProcessId(), child.pid());
    QVERIFY(dialog.selectedSocketPath().isEmpty());
}

void ProcessAttachTest::sampling_drawsTheChildsLanesOnTheTimelineUntilItExits() {
    SampledChild child;
    QVERIFY(child.start());
    EngineSession session;
    MainWindow window(session);
    window.show();
    auto* attach = window.findChild<AttachActions*>();
    auto* lanes = window.findChild<ProcessLanesView*>();
    QVERIFY(attach != nullptr && lanes != nullptr);
    QVERIFY(!window.timelineView()->showsLanes());

    attach->sampleProcess(child.pid());
    QVERIFY(window.timelineView()->showsLanes());
    QVERIFY(lanes->isVisible());
    QVERIFY2(window.statusText().contains(
                 QStringLiteral("Sampling /proc of %1 (no stacks: use Launch program or the live "
                                "link)")
                     .arg(child.pid())),
             qPrintable(window.statusText()));
    QVERIFY(lanes->title().contains(QStringLiteral("poolscope_sampl (%1)").arg(child.pid())));
    QCOMPARE(lanes->laneNames(),
             (QStringList{QStringLiteral("RSS"), QStringLiteral("PSS"), QStringLiteral("Anonymous"),
                          QStringLiteral("File-backed"), QStringLiteral("Swap"),
                          QStringLiteral("Descriptors")}));
    QTRY_VERIFY_WITH_TIMEOUT(lanes->sampleCount() > 0, kWaitMilliseconds);
    const double residentBefore = lanes->lastValue(ProcessLanes::Resident);
    const double descriptorsBefore = lanes->lastValue(ProcessLanes::Descriptors);
    QVERIFY(residentBefore > 0.0);
    QVERIFY(lanes->lastValue(ProcessLanes::Proportional) > 0.0);

    QVERIFY(child.grow());
    QTRY_COMPARE_WITH_TIMEOUT(lanes->lastValue(ProcessLanes::Descriptors),
                              descriptorsBefore + SampledChild::kOpenedDescriptors,
                              kWaitMilliseconds);
    QVERIFY(lanes->lastValue(ProcessLanes::Resident) - residentBefore >= kLeastGrowthMiB);
    QVERIFY(lanes->lastValue(ProcessLanes::Anonymous) >= kLeastGrowthMiB);

    const int samplesBeforeExit = lanes->sampleCount();
    // Read while it runs: a process that exited has no PID.
    const pid_t pid = child.pid();
    QVERIFY(child.quit());
    QTRY_VERIFY_WITH_TIMEOUT(
        window.statusText().contains(QStringLiteral("process %1 exited").arg(pid)),
        kWaitMilliseconds);
    QVERIFY(lanes->sampleCount() >= samplesBeforeExit);
    QVERIFY(window.timelineView()->showsLanes());
}

void ProcessAttachTest::sampling_aProcessThatDoesNotExistSaysSo() {
    EngineSession session;
    MainWindow window(session);
    auto* attach = window.findChild<AttachActions*>();
    attach->sampleProcess(2'000'000'000);
    QVERIFY2(window.statusText().contains(QStringLiteral("Could not sample process 2000000000")),
             qPrintable(window.statusText()));
    QVERIFY(!window.timelineView()->showsLanes());
}

QTEST_MAIN(ProcessAttachTest)
#include "ProcessAttachTest.moc"

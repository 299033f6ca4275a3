// File > Launch Program…: a program started under the interposer fills the window's views (the
// leak table with the leaking function in the stack, the timeline's native lanes, the open
// descriptors), the status bar says how it ended, Stop ends it, and a program that cannot be
// started is refused in the dialog.

#include <QAction>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "native/LaunchedProgram.h"
#include "session/EngineSession.h"
#include "views/LaunchActions.h"
#include "views/LaunchDialog.h"
#include "views/LeakView.h"
#include "views/MainWindow.h"
#include "views/ResourcesView.h"
#include "views/RunToolBar.h"
#include "views/TimelineView.h"

using namespace poolscope;

namespace {

constexpr int kProgramTimeoutMilliseconds = 60'000;

}  // namespace

class LaunchWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("POOLSCOPE_PRELOAD_LIBRARY", POOLSCOPE_PRELOAD_LIBRARY_FILE);
    }

    void init() { QSettings().clear(); }

    void launchDialog_refusesAProgramThatDoesNotExist_inTheDialog() {
        LaunchDialog dialog;
        dialog.setProgram(QStringLiteral("/no/such/directory/program"));
        QVERIFY(!dialog.launch());
        QVERIFY(!dialog.launchedProgram());
        QVERIFY(dialog.result() != QDialog::Accepted);
        QVERIFY2(dialog.errorText().contains(QStringLiteral("/no/such/directory/program")),
                 qPrintable(dialog.errorText()));
        QVERIFY(!dialog.attachOffered());
    }

    void launchDialog_refusesAnOpenQuote_andRemembersWhatWasLaunched() {
        QTemporaryDir directory;
        {
            LaunchDialog dialog;
            dialog.setProgram(QStringLiteral(POOLSCOPE_LEAKY_PROGRAM));
            dialog.setArguments(QStringLiteral("'open"));
            QVERIFY(!dialog.launch());
            QVERIFY(!dialog.errorText().isEmpty());
            dialog.setArguments(QStringLiteral("'%1'").arg(directory.filePath("a file")));
            dialog.setWorkingDirectory(directory.path());
            QVERIFY2(dialog.launch(), qPrintable(dialog.errorText()));
            QCOMPARE(dialog.arguments(), QStringList{directory.filePath("a file")});
            dialog.launchedProgram()->waitUntilEnded();
        }
        LaunchDialog again;
        QCOMPARE(again.arguments(), QStringList{directory.filePath("a file")});
    }

    void launchedProgram_showsItsLeaksTimelineAndOpenDescriptor() {
        QTemporaryDir directory;
        const QString openedFile = directory.filePath(QStringLiteral("kept-open.txt"));
        QFile file(openedFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();

        EngineSession session;
        MainWindow window(session);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        LaunchDialog dialog;
        dialog.setProgram(QStringLiteral(POOLSCOPE_LEAKY_PROGRAM));
        dialog.setArguments(openedFile);
        QVERIFY2(dialog.launch(), qPrintable(dialog.errorText()));
        const QString pid = QString::number(dialog.launchedProgram()->pid());
        window.launchActions()->show(dialog.launchedProgram(), {});

        QTRY_VERIFY_WITH_TIMEOUT(
            window.statusText().contains(QStringLiteral("exited with status 0")),
            kProgramTimeoutMilliseconds);
        QVERIFY2(window.statusText().contains(QStringLiteral("LeakyProgram")) ||
                     window.statusText().contains(QStringLiteral("leaky_program")),
                 qPrintable(window.statusText()));
        QVERIFY2(window.statusText().contains(pid), qPrintable(window.statusText()));
        QVERIFY(!session.isLaunched());

        // The leak table: the three buffers, found by the function that made them.
        window.leakView()->setFilterText(QStringLiteral("keepThreeBuffers"));
        QTRY_COMPARE_WITH_TIMEOUT(window.leakView()->visibleRowCount(), 3,
                                  kProgramTimeoutMilliseconds);
        window.leakView()->setGroupedByStack(true);
        QVERIFY(window.leakView()->isGroupedByStack());
        QCOMPARE(window.leakView()->visibleRowCount(), 3);

        // The timeline: the native heap and the mapping as bands, the descriptor as a count.
        TimelineView* timeline = window.timelineView();
        QTRY_VERIFY_WITH_TIMEOUT(timeline->shownSeries().contains(QStringLiteral("Native heap")),
                                 kProgramTimeoutMilliseconds);
        QVERIFY2(timeline->shownSeries().contains(QStringLiteral("Mapped")),
                 qPrintable(timeline->shownSeries().join(u',')));
        QVERIFY(timeline->descriptorMaximum() >= 1.0);
        // On the program's own time: it ran for a fraction of a second from 0.
        QVERIFY2(timeline->xRange().second < 60.0,
                 qPrintable(QString::number(timeline->xRange().second)));

        // The descriptor left open, with its path and the stack that opened it.
        ResourcesView* resources = window.resourcesView();
        QTRY_VERIFY_WITH_TIMEOUT(resources->paths().contains(openedFile),
                                 kProgramTimeoutMilliseconds);
        const int row = static_cast<int>(resources->paths().indexOf(openedFile));
        QVERIFY2(resources->stackAt(row).join(u'\n').contains(QStringLiteral("openAndForget")),
                 qPrintable(resources->stackAt(row).join(u'\n')));
    }

    void launchedProgram_isRecordedToTheChosenFile_whichOpensWithItsLeaks() {
        QTemporaryDir directory;
        const QString recording = directory.filePath(QStringLiteral("leaky.psrec"));
        EngineSession session;
        MainWindow window(session);
        LaunchDialog dialog;
        dialog.setProgram(QStringLiteral(POOLSCOPE_LEAKY_PROGRAM));
        dialog.setRecordTo(recording);
        QVERIFY2(dialog.launch(), qPrintable(dialog.errorText()));
        window.launchActions()->show(dialog.launchedProgram(), dialog.recordTo());
        QTRY_COMPARE_WITH_TIMEOUT(session.lastRunRecording(), recording,
                                  kProgramTimeoutMilliseconds);

        window.openRecordingFile(recording);
        QTRY_VERIFY_WITH_TIMEOUT(session.showsRecording(), kProgramTimeoutMilliseconds);
        window.leakView()->setFilterText(QStringLiteral("keepThreeBuffers"));
        QTRY_COMPARE_WITH_TIMEOUT(window.leakView()->visibleRowCount(), 3,
                                  kProgramTimeoutMilliseconds);
    }

    void stop_endsALaunchedProgram() {
        EngineSession session;
        MainWindow window(session);
        LaunchDialog dialog;
        dialog.setProgram(QStringLiteral("sleep"));
        dialog.setArguments(QStringLiteral("60"));
        QVERIFY2(dialog.launch(), qPrintable(dialog.errorText()));
        window.launchActions()->show(dialog.launchedProgram(), {});
        QTRY_VERIFY_WITH_TIMEOUT(session.isLaunched(), kProgramTimeoutMilliseconds);
        auto* bar = window.findChild<RunToolBar*>();
        QVERIFY(bar->stopAction()->isEnabled());
        bar->stopAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.statusText().contains(QStringLiteral("SIGTERM")),
                                 kProgramTimeoutMilliseconds);
        QVERIFY(!bar->stopAction()->isEnabled());
    }
};

QTEST_MAIN(LaunchWindowTest)
#include "LaunchWindowTest.moc"

#include "AnalysesView.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "models/CallSiteModel.h"
#include "models/CallTreeModel.h"
#include "models/SizeHistogramChart.h"
#include "views/CallTreePage.h"
#include "views/FlameGraphView.h"
#include "views/PeakTemporaryPage.h"
#include "views/SizeHistogramView.h"

namespace poolscope {

namespace {

const QString kPageKey = QStringLiteral("analyses/page");

}  // namespace

AnalysesView::AnalysesView(QWidget* parent) : QWidget(parent), analysis_(this) {
    title_ = new QLabel(this);
    // A long file name must not widen the dock beyond the window's smallest width.
    title_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    search_ = new QLineEdit(this);
    search_->setPlaceholderText(tr("Search frames"));
    search_->setToolTip(
        tr("Highlights the matching frames of the flame graph, keeps the matching call sites "
           "of the tables and the matching frames of the trees, opened down to them"));
    search_->setClearButtonEnabled(true);
    busy_ = new QProgressBar(this);
    // How far the pass over the recording's events has got, which is most of an analysis.
    busy_->setRange(0, 1000);
    busy_->setTextVisible(false);
    busy_->setMaximumWidth(120);
    busy_->setVisible(false);
    auto* bar = new QHBoxLayout;
    bar->addWidget(title_, 1);
    bar->addWidget(busy_);
    bar->addWidget(search_);

    cost_ = new QComboBox(this);
    cost_->addItem(tr("Allocations"), static_cast<int>(CollapsedStacks::Cost::Allocations));
    cost_->addItem(tr("Leaked bytes"), static_cast<int>(CollapsedStacks::Cost::Leaked));
    cost_->addItem(tr("Bytes at peak"), static_cast<int>(CollapsedStacks::Cost::Peak));
    flameGraph_ = new FlameGraphView(this);
    auto* flamePage = new QWidget(this);
    auto* costBar = new QHBoxLayout;
    costBar->addWidget(new QLabel(tr("Width by:"), flamePage));
    costBar->addWidget(cost_);
    costBar->addStretch(1);
    auto* flameLayout = new QVBoxLayout(flamePage);
    flameLayout->setContentsMargins(0, 0, 0, 0);
    flameLayout->addLayout(costBar);
    flameLayout->addWidget(flameGraph_, 1);

    callSites_ = new CallSiteModel(this);
    callSitesPage_ = new CallSitesPage(callSites_, this);
    bottomUp_ = new CallTreePage(
        tr("Bottom-up: the frames that allocated, each expanding to its callers."), this);
    topDown_ = new CallTreePage(
        tr("Top-down: the outermost frames, each expanding to the functions it called."), this);
    peak_ = new PeakTemporaryPage(this);
    sizes_ = new SizeHistogramView(this);

    pages_ = new QTabWidget(this);
    pages_->setDocumentMode(true);
    pages_->addTab(flamePage, tr("Flame graph"));
    pages_->addTab(callSitesPage_, tr("Call sites"));
    pages_->addTab(bottomUp_, tr("Bottom-up"));
    pages_->addTab(topDown_, tr("Top-down"));
    pages_->addTab(peak_, tr("Peak && temporary"));
    pages_->addTab(sizes_, tr("Sizes"));
    pages_->setCurrentIndex(
        std::clamp(QSettings().value(kPageKey, 0).toInt(), 0, pages_->count() - 1));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(pages_, 1);

    connect(cost_, &QComboBox::currentIndexChanged, this, [this] {
        flameGraph_->setCost(static_cast<CollapsedStacks::Cost>(cost_->currentData().toInt()));
    });
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        flameGraph_->setSearch(text);
        callSitesPage_->sorted()->setFilterFixedString(text);
        peak_->setSearch(text);
        searchShownTree();
    });
    connect(pages_, &QTabWidget::currentChanged, this, [this](int page) {
        // The sizes have no frames to search.
        search_->setEnabled(page != SizesTab);
        searchShownTree();
        QSettings().setValue(kPageKey, page);
    });
    search_->setEnabled(pages_->currentIndex() != SizesTab);
    connect(callSitesPage_, &CallSitesPage::siteChosen, this, &AnalysesView::showSite);
    connect(peak_, &PeakTemporaryPage::siteChosen, this, &AnalysesView::showStack);
    for (CallTreePage* tree : {bottomUp_, topDown_}) {
        connect(tree, &CallTreePage::flameGraphRequested, this,
                [this, tree] { showInFlameGraph(tree->selectedPath(), tree == bottomUp_); });
    }
    connect(&analysis_, &RecordingAnalysis::busyChanged, busy_, &QWidget::setVisible);
    connect(&analysis_, &RecordingAnalysis::progressed, busy_, &QProgressBar::setValue);
    connect(&analysis_, &RecordingAnalysis::ready, this, &AnalysesView::showResult);
    showNothing();
    updateTitle();
}

void AnalysesView::searchShownTree() {
    // A tree is searched when it is shown: at a hundred thousand stacks each search of a tree
    // takes tens of milliseconds, and a keystroke should not pay for a page out of sight.
    if (pages_->currentWidget() == bottomUp_) {
        bottomUp_->setSearch(search_->text());
    } else if (pages_->currentWidget() == topDown_) {
        topDown_->setSearch(search_->text());
    }
}

QSortFilterProxyModel* AnalysesView::sortedCallSites() const {
    return callSitesPage_->sorted();
}

void AnalysesView::showRecording(const QString& recordingPath) {
    recordingPath_ = recordingPath;
    request();
}

void AnalysesView::clear() {
    analysis_.cancel();
    recordingPath_.clear();
    timeRange_.reset();
    timeOrigin_.reset();
    showNothing();
    updateTitle();
}

void AnalysesView::setTimeRange(double fromSeconds, double toSeconds) {
    timeRange_ = std::minmax(fromSeconds, toSeconds);
    request();
}

void AnalysesView::clearTimeRange() {
    if (!timeRange_) {
        return;
    }
    timeRange_.reset();
    request();
}

void AnalysesView::setTimeOrigin(std::int64_t timeOriginNanoseconds) {
    if (timeOrigin_ == timeOriginNanoseconds) {
        return;
    }
    timeOrigin_ = timeOriginNanoseconds;
    if (timeRange_) {
        request();
    } else if (result_ && result_->error.isEmpty()) {
        peak_->setResult(result_, originOf(*result_));
    }
}

void AnalysesView::request() {
    if (recordingPath_.isEmpty()) {
        updateTitle();
        return;
    }
    AnalysisRange range;
    if (timeRange_) {
        const std::int64_t origin =
            timeOrigin_.value_or(result_ ? result_->firstEventNanoseconds : 0);
        const auto at = [origin](double seconds) {
            return origin + static_cast<std::int64_t>(std::llround(seconds * 1e9));
        };
        range.fromNanoseconds = at(timeRange_->first);
        range.toNanoseconds = at(timeRange_->second);
    }
    status_ = tr("Analysing %1, %2…").arg(QFileInfo(recordingPath_).fileName(), rangeText());
    analysis_.request(recordingPath_, range);
    updateTitle();
}

std::int64_t AnalysesView::originOf(const RecordingAnalysisResult& result) const {
    return timeOrigin_.value_or(result.firstEventNanoseconds);
}

QString AnalysesView::rangeText() const {
    if (!timeRange_) {
        return tr("whole run");
    }
    const QLocale locale;
    return tr("%1 \u2013 %2 s")
        .arg(locale.toString(timeRange_->first, 'f', 2),
             locale.toString(timeRange_->second, 'f', 2));
}

QString AnalysesView::title() const {
    return title_->text();
}

void AnalysesView::updateTitle() {
    if (recordingPath_.isEmpty()) {
        title_->setText(tr("No recording analysed"));
        setWindowTitle(tr("Analyses"));
        return;
    }
    title_->setText(status_);
    title_->setToolTip(recordingPath_);
    setWindowTitle(tr("Analyses \u2014 %1").arg(rangeText()));
}

void AnalysesView::showNothing() {
    result_.reset();
    flameGraph_->setTree(nullptr);
    callSites_->setRows({});
    bottomUp_->setTree(nullptr);
    topDown_->setTree(nullptr);
    peak_->clear();
    sizes_->setChart({});
}

void AnalysesView::showResult(const std::shared_ptr<const RecordingAnalysisResult>& result) {
    const QString name = QFileInfo(result->recordingPath).fileName();
    if (!result->error.isEmpty()) {
        showNothing();
        status_ = tr("Could not analyse %1: %2").arg(name, result->error);
        updateTitle();
        return;
    }
    result_ = result;
    status_ = tr("%1, %2: %n call site(s)", nullptr, static_cast<int>(result->sites.size()))
                  .arg(name, rangeText());
    // The trees live as long as the result the views hold.
    flameGraph_->setTree(std::shared_ptr<const CallTree>(result, &result->topDown));
    callSites_->setRows(result->sites);
    bottomUp_->setTree(std::shared_ptr<const CallTree>(result, &result->bottomUp),
                       std::shared_ptr<const CallTreeSearchIndex>(result, &result->bottomUpSearch));
    topDown_->setTree(std::shared_ptr<const CallTree>(result, &result->topDown),
                      std::shared_ptr<const CallTreeSearchIndex>(result, &result->topDownSearch));
    peak_->setResult(result, originOf(*result));
    sizes_->setChart(SizeHistogramChart::of(result->sizes, result->thresholds));
    updateTitle();
}

void AnalysesView::showSite(int row, CallSitesPage::Destination destination) {
    if (row >= 0 && row < callSites_->rowCount()) {
        showStack(callSites_->row(row).frames, destination);
    }
}

std::vector<const CallTree*> AnalysesView::topDownPathOf(
    const std::vector<const CallTree*>& bottomUpPath) const {
    // The row stands for every stack ending in its frames; the flame graph draws one frame per
    // outer caller, so the row is shown through its heaviest whole stack: its callers followed
    // most bytes first (the tree's order) to the outermost frame.
    QStringList innermostFirst;
    for (const CallTree* node : bottomUpPath) {
        innermostFirst.append(QString::fromStdString(node->frame));
    }
    for (const CallTree* caller = bottomUpPath.back(); !caller->children.empty();) {
        caller = &caller->children.front();
        innermostFirst.append(QString::fromStdString(caller->frame));
    }
    QStringList outermostFirst = innermostFirst;
    std::reverse(outermostFirst.begin(), outermostFirst.end());
    std::vector<const CallTree*> path =
        CallTreeModel::nodesOfPath(result_->topDown, outermostFirst);
    if (path.size() < bottomUpPath.size()) {
        return {};
    }
    // Down to the row's own frame, the outermost of the row's path.
    path.resize(path.size() - bottomUpPath.size() + 1);
    return path;
}

void AnalysesView::showInFlameGraph(const std::vector<const CallTree*>& path, bool bottomUp) {
    if (!result_ || path.empty()) {
        return;
    }
    const std::vector<const CallTree*> topDown = bottomUp ? topDownPathOf(path) : path;
    if (topDown.empty()) {
        return;
    }
    flameGraph_->zoomToPath(topDown);
    QStringList frames;
    for (const CallTree* node : topDown) {
        frames.append(QString::fromStdString(node->frame));
    }
    topDown_->selectPath(frames);
    pages_->setCurrentIndex(FlameGraphTab);
}

void AnalysesView::showStack(const QStringList& innermostFirst,
                             CallSitesPage::Destination destination) {
    if (!result_ || innermostFirst.isEmpty()) {
        return;
    }
    QStringList outermostFirst = innermostFirst;
    std::reverse(outermostFirst.begin(), outermostFirst.end());
    // Bottom-up, the site as the call-site table names it: its allocating frame and caller.
    bottomUp_->selectPath(innermostFirst, 2);
    topDown_->selectPath(outermostFirst);
    flameGraph_->select(CallTreeModel::nodesOfPath(result_->topDown, outermostFirst));
    switch (destination) {
        case CallSitesPage::Destination::BottomUp:
            pages_->setCurrentIndex(BottomUpTab);
            break;
        case CallSitesPage::Destination::TopDown:
            pages_->setCurrentIndex(TopDownTab);
            break;
        case CallSitesPage::Destination::FlameGraph:
            pages_->setCurrentIndex(FlameGraphTab);
            break;
    }
}

}  // namespace poolscope

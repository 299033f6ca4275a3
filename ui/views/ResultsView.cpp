#include "views/ResultsView.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

#include "models/LayoutComparisonModel.h"
#include "models/RunResultsModel.h"
#include "session/EngineSession.h"
#include "session/RecordedRunSummary.h"

namespace poolscope {

ResultsView::ResultsView(QWidget* parent)
    : QWidget(parent),
      results_(new RunResultsModel(this)),
      comparisons_(new LayoutComparisonModel(this)),
      headline_(new QLabel(this)),
      tree_(new QTreeView(this)),
      perImageTitle_(new QLabel(tr("Image by image (click one to see its layout)"), this)),
      perImage_(new QTableView(this)),
      openFolder_(new QPushButton(tr("Open output folder"), this)) {
    headline_->setWordWrap(true);
    headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    tree_->setModel(results_);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->header()->setSectionResizeMode(RunResultsModel::LabelColumn,
                                          QHeaderView::ResizeToContents);
    perImage_->setModel(comparisons_);
    perImage_->setSelectionBehavior(QAbstractItemView::SelectRows);
    perImage_->setSelectionMode(QAbstractItemView::SingleSelection);
    perImage_->verticalHeader()->hide();
    perImage_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(perImage_, &QTableView::clicked, this,
            [this](const QModelIndex& index) { showImage(index.row()); });
    connect(openFolder_, &QPushButton::clicked, this, &ResultsView::openOutputFolder);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(headline_);
    layout->addWidget(tree_, 3);
    layout->addWidget(perImageTitle_);
    layout->addWidget(perImage_, 2);
    layout->addWidget(openFolder_, 0, Qt::AlignLeft);
    showOnlyMessage(tr("No run yet: the results of a run appear here when it ends."));
}

void ResultsView::showRun(const RunOutcome& outcome) {
    showReport(outcome.report);
}

void ResultsView::showReport(const ScenarioRunReport& report) {
    results_->showReport(report);
    comparisons_->setComparisons(report.outcome.layoutComparisons, report.poolSizeMegabytes);
    headline_->setText(report.outcome.cancelled
                           ? tr("%1, stopped before its end").arg(results_->scenario())
                           : results_->scenario());
    tree_->expandAll();
    // The parameters are what the person chose; the figures are what they came to see.
    tree_->collapse(results_->index(0, 0));
    const bool perImage = comparisons_->rowCount() > 0;
    perImageTitle_->setVisible(perImage);
    perImage_->setVisible(perImage);
    offerOutputFolder();
    if (perImage) {
        // The layout view shows the first image rather than nothing once the images are gone.
        perImage_->selectRow(0);
        showImage(0);
    }
}

void ResultsView::showRunning(const QString& scenario) {
    showOnlyMessage(tr("%1 is running: its results appear here when it ends.").arg(scenario));
}

void ResultsView::showRecording(const RecordedRunResults& results) {
    if (results.state == RecordedRunResults::State::Stored && results.report) {
        showReport(*results.report);
        headline_->setText(tr("%1 (from its recording)").arg(headline_->text()));
        return;
    }
    // The message reads as an error after "poolscope: " too; here it starts a sentence.
    QString message = results.message;
    if (!message.isEmpty()) {
        message[0] = message[0].toUpper();
    }
    showOnlyMessage(message);
}

void ResultsView::offerOutputFolder() {
    const QString folder = results_->outputFolder();
    openFolder_->setVisible(!folder.isEmpty());
    // A recording outlives the files its run wrote: a folder since removed cannot be opened.
    const bool exists = !folder.isEmpty() && QFileInfo(folder).isDir();
    openFolder_->setEnabled(exists);
    openFolder_->setToolTip(exists ? folder
                                   : tr("The output folder %1 no longer exists.").arg(folder));
}

bool ResultsView::openFolderEnabled() const {
    return openFolderOffered() && openFolder_->isEnabled();
}

QString ResultsView::openFolderToolTip() const {
    return openFolder_->toolTip();
}

void ResultsView::showOnlyMessage(const QString& message) {
    comparisons_->setComparisons({}, std::nullopt);
    results_->showMessage(message);
    headline_->setText(message);
    perImageTitle_->hide();
    perImage_->hide();
    openFolder_->hide();
}

QString ResultsView::headline() const {
    return headline_->text();
}

bool ResultsView::openFolderOffered() const {
    return !openFolder_->isHidden();
}

void ResultsView::showImage(int row) {
    if (row >= 0 && row < comparisons_->rowCount()) {
        emit imageLayoutRequested(comparisons_->requestFor(row));
    }
}

void ResultsView::openOutputFolder() {
    // The folder may have gone since the results were shown.
    offerOutputFolder();
    if (!openFolder_->isEnabled()) {
        return;
    }
    QDesktopServices::openUrl(QUrl::fromLocalFile(results_->outputFolder()));
}

}  // namespace poolscope

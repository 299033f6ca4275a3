#include "CallSitesPage.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "models/CallSiteModel.h"

namespace poolscope {

CallSitesPage::CallSitesPage(CallSiteModel* sites, QWidget* parent)
    : QWidget(parent), sites_(sites) {
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(sites_);
    sorted_->setSortRole(CallSiteModel::kSortRole);
    sorted_->setFilterKeyColumn(CallSiteModel::Site);
    sorted_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    table_ = new QTableView(this);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(CallSiteModel::Allocations, Qt::DescendingOrder);
    table_->verticalHeader()->hide();
    // One line a site, as the leak table: more sites in view.
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(CallSiteModel::Site, QHeaderView::Stretch);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    // A site's frames differ most at their ends: the function's scope and the caller's line.
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);

    bottomUp_ = new QAction(tr("Show in &Bottom-up Tree"), this);
    topDown_ = new QAction(tr("Show in &Top-down Tree"), this);
    flameGraph_ = new QAction(tr("Show in &Flame Graph"), this);
    const auto chooseCurrent = [this](Destination destination) {
        const QModelIndex current = table_->currentIndex();
        if (current.isValid()) {
            chooseRow(current.row(), destination);
        }
    };
    connect(bottomUp_, &QAction::triggered, this,
            [chooseCurrent] { chooseCurrent(Destination::BottomUp); });
    connect(topDown_, &QAction::triggered, this,
            [chooseCurrent] { chooseCurrent(Destination::TopDown); });
    connect(flameGraph_, &QAction::triggered, this,
            [chooseCurrent] { chooseCurrent(Destination::FlameGraph); });
    connect(table_, &QTableView::doubleClicked, this,
            [this](const QModelIndex& index) { chooseRow(index.row(), Destination::BottomUp); });
    connect(table_, &QWidget::customContextMenuRequested, this, &CallSitesPage::showMenu);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
}

QList<QAction*> CallSitesPage::siteActions() const {
    return {bottomUp_, topDown_, flameGraph_};
}

void CallSitesPage::chooseRow(int sortedRow, Destination destination) {
    const QModelIndex source = sorted_->mapToSource(sorted_->index(sortedRow, 0));
    if (source.isValid()) {
        emit siteChosen(source.row(), destination);
    }
}

void CallSitesPage::showMenu(const QPoint& position) {
    const QModelIndex index = table_->indexAt(position);
    if (!index.isValid()) {
        return;
    }
    table_->setCurrentIndex(index);
    QMenu menu(this);
    menu.addActions(siteActions());
    menu.exec(table_->viewport()->mapToGlobal(position));
}

}  // namespace poolscope

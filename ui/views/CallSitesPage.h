#pragma once

#include <QWidget>

class QAction;
class QSortFilterProxyModel;
class QTableView;

namespace poolscope {

class CallSiteModel;

// The call sites of the Analyses dock as a sortable table. Double-clicking a row, or one of its
// context actions, asks for that site to be shown in the call trees and the flame graph.
class CallSitesPage : public QWidget {
    Q_OBJECT

public:
    // Where a chosen site is shown first; it is selected in every tree and the flame graph.
    enum class Destination { BottomUp, TopDown, FlameGraph };
    Q_ENUM(Destination)

    explicit CallSitesPage(CallSiteModel* sites, QWidget* parent = nullptr);

    QSortFilterProxyModel* sorted() const { return sorted_; }
    QTableView* table() const { return table_; }
    // The context actions, for the row under the pointer: bottom-up, top-down, flame graph.
    QList<QAction*> siteActions() const;
    // As a double-click or a context action on the row at `sortedRow` of the table.
    void chooseRow(int sortedRow, Destination destination);

signals:
    // `sourceRow`: the site's row in the CallSiteModel.
    void siteChosen(int sourceRow, poolscope::CallSitesPage::Destination destination);

private:
    void showMenu(const QPoint& position);

    CallSiteModel* sites_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* table_ = nullptr;
    QAction* bottomUp_ = nullptr;
    QAction* topDown_ = nullptr;
    QAction* flameGraph_ = nullptr;
};

}  // namespace poolscope

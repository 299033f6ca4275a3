#pragma once

#include <QStringList>
#include <QWidget>

#include <memory>

#include "session/SessionSnapshot.h"

class QLabel;
class QTreeWidget;

namespace poolscope {

// A launched program's open descriptors: what each names (a file's path, a socket, a pipe),
// the call that opened it, when, and the stack that did, unfolded under it. At the program's
// end these are the descriptors it never closed. Shows the newest snapshot; redraws only when
// its allocation table or the paths changed.
class ResourcesView : public QWidget {
    Q_OBJECT

public:
    explicit ResourcesView(QWidget* parent = nullptr);

    void setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);

    int descriptorCount() const;
    // The paths listed, in the order shown (by descriptor number).
    QStringList paths() const;
    // The frames of the stack that opened the descriptor shown at `row`, innermost first.
    QStringList stackAt(int row) const;

private:
    QLabel* summary_ = nullptr;
    QTreeWidget* tree_ = nullptr;
    std::shared_ptr<const AllocationTable> shownTable_;
    std::shared_ptr<const std::unordered_map<AllocationId, QString>> shownPaths_;
    std::shared_ptr<const StackCatalog> shownStacks_;
};

}  // namespace poolscope

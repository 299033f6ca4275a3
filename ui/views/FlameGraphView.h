#pragma once

#include <QRectF>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/CallTree.h"
#include "analysis/CollapsedStacks.h"

namespace poolscope {

// The call tree, top-down, as a flame graph drawn from the top (an icicle): the outermost frames
// in the first row under the whole, each frame as wide as its share of the cost. A click zooms
// into a frame, a click on the top row zooms back out; frames whose name holds the search text
// are highlighted; a frame chosen elsewhere (a call site) is selected, shown among its siblings;
// a tooltip gives a frame's exact figures.
class FlameGraphView : public QWidget {
    Q_OBJECT

public:
    struct Box {
        QRectF rect;
        const CallTree* node = nullptr;
        int depth = 0;  // 0 for the frame zoomed into (or the whole)
        bool matches = false;
        bool selected = false;
    };

    explicit FlameGraphView(QWidget* parent = nullptr);

    void setTree(std::shared_ptr<const CallTree> tree);
    void setCost(CollapsedStacks::Cost cost);
    void setSearch(const QString& text);
    void zoomTo(const CallTree* node);
    void zoomOut();
    // Selects the last of `path` (frames of the tree from its top row down; empty clears) and
    // zooms so that it is drawn: into its caller, or into itself when too narrow there.
    void select(const std::vector<const CallTree*>& path);
    // Zooms into the last of `path` (frames of the tree from its top row down), which is
    // selected; clicking the top row then zooms out one frame of the path at a time.
    void zoomToPath(const std::vector<const CallTree*>& path);
    const CallTree* selected() const { return selected_; }
    // The frame drawn across the whole width; null for the whole tree.
    const CallTree* zoomed() const { return zoom_.empty() ? nullptr : zoom_.back(); }

    static std::uint64_t costOf(const CallTree& node, CollapsedStacks::Cost cost);
    // The frames as drawn at the view's present size, row by row.
    const std::vector<Box>& boxes();
    const Box* boxAt(const QPointF& point);
    QString toolTipOf(const CallTree& node) const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;

private:
    static constexpr double kRowHeight = 18.0;
    // Narrower frames are neither drawn nor descended into: at a hundred thousand stacks most
    // are, and a frame too narrow to see cannot be clicked or read.
    static constexpr double kNarrowest = 0.5;

    void invalidate();
    void layOut(const CallTree& node, double x, double width, int depth);
    QString labelOf(const CallTree& node) const;

    std::shared_ptr<const CallTree> tree_;
    std::vector<const CallTree*> zoom_;  // the frames zoomed into, outermost first
    CollapsedStacks::Cost cost_ = CollapsedStacks::Cost::Allocations;
    QString search_;
    const CallTree* selected_ = nullptr;
    std::vector<Box> boxes_;
    bool laidOut_ = false;
};

}  // namespace poolscope

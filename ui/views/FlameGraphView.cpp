#include "FlameGraphView.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

#include "models/DisplayFormat.h"

namespace poolscope {

FlameGraphView::FlameGraphView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void FlameGraphView::setTree(std::shared_ptr<const CallTree> tree) {
    tree_ = std::move(tree);
    zoom_.clear();
    selected_ = nullptr;
    invalidate();
}

void FlameGraphView::setCost(CollapsedStacks::Cost cost) {
    cost_ = cost;
    invalidate();
}

void FlameGraphView::setSearch(const QString& text) {
    search_ = text;
    invalidate();
}

void FlameGraphView::zoomTo(const CallTree* node) {
    zoom_.push_back(node);
    invalidate();
}

void FlameGraphView::zoomOut() {
    if (!zoom_.empty()) {
        zoom_.pop_back();
        invalidate();
    }
}

void FlameGraphView::select(const std::vector<const CallTree*>& path) {
    zoom_.clear();
    selected_ = path.empty() ? nullptr : path.back();
    if (path.size() >= 2) {
        zoom_.push_back(path[path.size() - 2]);
    }
    invalidate();
    const std::vector<Box>& drawn = boxes();
    const bool shown = std::any_of(drawn.begin(), drawn.end(),
                                   [this](const Box& box) { return box.node == selected_; });
    if (selected_ != nullptr && !shown) {
        zoom_.assign(1, selected_);
        invalidate();
    }
}

void FlameGraphView::zoomToPath(const std::vector<const CallTree*>& path) {
    zoom_ = path;
    selected_ = path.empty() ? nullptr : path.back();
    invalidate();
}

std::uint64_t FlameGraphView::costOf(const CallTree& node, CollapsedStacks::Cost cost) {
    switch (cost) {
        case CollapsedStacks::Cost::Allocations:
            return node.cost.allocations;
        case CollapsedStacks::Cost::Leaked:
            return node.cost.leakedBytes;
        case CollapsedStacks::Cost::Peak:
            return node.cost.peakBytes;
    }
    return 0;
}

const std::vector<FlameGraphView::Box>& FlameGraphView::boxes() {
    if (!laidOut_) {
        boxes_.clear();
        if (tree_ && width() > 0) {
            const CallTree& root = zoom_.empty() ? *tree_ : *zoom_.back();
            if (costOf(root, cost_) > 0) {
                layOut(root, 0.0, width(), 0);
            }
        }
        laidOut_ = true;
    }
    return boxes_;
}

void FlameGraphView::layOut(const CallTree& node, double x, double width, int depth) {
    const bool matches = !search_.isEmpty() && !node.frame.empty() &&
                         labelOf(node).contains(search_, Qt::CaseInsensitive);
    boxes_.push_back({QRectF(x, depth * kRowHeight, width, kRowHeight), &node, depth, matches,
                      &node == selected_});
    const double whole = static_cast<double>(costOf(node, cost_));
    double childX = x;
    for (const CallTree& child : node.children) {
        const double childWidth = width * static_cast<double>(costOf(child, cost_)) / whole;
        if (childWidth >= kNarrowest) {
            layOut(child, childX, childWidth, depth + 1);
        }
        childX += childWidth;
    }
}

const FlameGraphView::Box* FlameGraphView::boxAt(const QPointF& point) {
    for (const Box& box : boxes()) {
        if (box.rect.contains(point)) {
            return &box;
        }
    }
    return nullptr;
}

QString FlameGraphView::labelOf(const CallTree& node) const {
    return node.frame.empty() ? tr("all") : QString::fromStdString(node.frame);
}

QString FlameGraphView::toolTipOf(const CallTree& node) const {
    const QLocale locale;
    return tr("%1\nAllocations: %2\nBytes: %3\nLeaked: %4\nAt peak: %5")
        .arg(labelOf(node), locale.toString(static_cast<qulonglong>(node.cost.allocations)),
             DisplayFormat::exactBytes(node.cost.bytes),
             DisplayFormat::exactBytes(node.cost.leakedBytes),
             DisplayFormat::exactBytes(node.cost.peakBytes));
}

QSize FlameGraphView::sizeHint() const {
    return {400, static_cast<int>(kRowHeight * 6)};
}

void FlameGraphView::invalidate() {
    laidOut_ = false;
    update();
}

void FlameGraphView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const std::vector<Box>& drawn = boxes();
    if (drawn.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter,
                         tree_ ? tr("Nothing of this cost in the recording")
                               : tr("Open a recording to see its flame graph"));
        return;
    }
    const QFontMetrics metrics(font());
    for (const Box& box : drawn) {
        // Warm colours, steady per frame name, so a function keeps its colour across zooms.
        const auto hash = static_cast<int>(qHash(box.node->frame) % 60);
        const QColor fill = box.selected  ? palette().color(QPalette::Highlight)
                            : box.matches ? QColor(200, 60, 200)
                                          : QColor::fromHsv(hash, 140, 235);
        const QRectF inner = box.rect.adjusted(0, 0, -1, -1);
        painter.fillRect(inner, fill);
        if (inner.width() > 24) {
            painter.setPen(box.selected ? palette().color(QPalette::HighlightedText)
                                        : QColor(Qt::black));
            const QString text = metrics.elidedText(labelOf(*box.node), Qt::ElideRight,
                                                    static_cast<int>(inner.width()) - 6);
            painter.drawText(inner.adjusted(3, 0, -3, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
        }
    }
}

void FlameGraphView::mousePressEvent(QMouseEvent* event) {
    const Box* box = boxAt(event->position());
    if (box == nullptr || event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    if (box->depth == 0) {
        zoomOut();
    } else {
        zoomTo(box->node);
    }
}

void FlameGraphView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    invalidate();
}

bool FlameGraphView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        if (const Box* box = boxAt(help->pos())) {
            QToolTip::showText(help->globalPos(), toolTipOf(*box->node), this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace poolscope

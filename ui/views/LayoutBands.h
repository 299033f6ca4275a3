#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

#include "models/ImageLayoutDescription.h"

namespace poolscope {

// The bands of an image buffer's layout, top to bottom in row order, each as tall as its share
// of the bytes (but never too short for its label), tinted by its memory tier.
class LayoutBands : public QWidget {
    Q_OBJECT

public:
    explicit LayoutBands(QWidget* parent = nullptr);

    void setBands(std::vector<LayoutBand> bands);
    // Shown in place of the bands when there are none.
    void setEmptyText(const QString& text);
    int count() const { return static_cast<int>(bands_.size()); }
    // Each band's heading and details in one line.
    QStringList labels() const;

    // What the bands need to be read, each with its two lines of text (or the empty text):
    // a one-chunk layout is a strip, not a tall box.
    int contentHeight() const;
    QSize sizeHint() const override { return {600, contentHeight()}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    static constexpr int kGap = 3;
    static constexpr int kStripe = 10;

    int minimumBandHeight() const;
    std::vector<int> bandHeights() const;

    std::vector<LayoutBand> bands_;
    QString emptyText_;
};

}  // namespace poolscope

#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <vector>

#include "models/ImageLayoutDescription.h"
#include "session/SessionSnapshot.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QScrollArea;
class QSpinBox;

namespace poolscope {

class LayoutBands;

// How an image buffer lies in memory: one band per chunk (one when contiguous), each with its
// rows, bytes, address and where it came from (pool slot, small-buffer pool or unpooled), and
// what dangerousTryGetSinglePixelMemory returns for it. Shows the selected allocation, or the
// largest live image buffer while nothing is selected. The calculator works out the layout of
// an image that is not allocated, with the same rules as `poolscope layout`.
class LayoutView : public QWidget {
    Q_OBJECT

public:
    explicit LayoutView(QWidget* parent = nullptr);
    ~LayoutView() override;

    void setSnapshot(const std::shared_ptr<const poolscope::SessionSnapshot>& snapshot);
    // Shows this allocation's layout (and leaves the calculator); 0: the largest image buffer.
    void setSelectedAllocation(quint64 id);
    // Shows the layout the default allocator would give this request, without allocating.
    void showCalculation(const poolscope::ImageLayoutRequest& request);

    int bandCount() const;
    QString singlePixelMemoryText() const;
    // Each band's label, top to bottom: chunk, rows, bytes, address, where it lives.
    QStringList bandLabels() const;
    // What the view shows, in one line: the allocation, or the calculated image, or why a
    // calculation was refused.
    QString titleText() const;
    // The allocation drawn; 0 while calculating or when nothing is live.
    quint64 shownAllocation() const { return shownAllocation_; }
    bool calculatorShown() const { return calculatorShown_; }

    QSize sizeHint() const override;

private:
    QWidget* createCalculatorForm();
    void calculateFromForm();
    void showLiveAllocation();
    void present(const ImageLayoutDescription& description);

    std::shared_ptr<const SessionSnapshot> snapshot_;
    quint64 selected_ = 0;
    quint64 shownAllocation_ = 0;
    bool calculatorShown_ = false;

    QLabel* title_ = nullptr;
    QLabel* singlePixel_ = nullptr;
    LayoutBands* bands_ = nullptr;
    QScrollArea* scroll_ = nullptr;

    QSpinBox* widthInput_ = nullptr;
    QSpinBox* heightInput_ = nullptr;
    QComboBox* pixelTypeInput_ = nullptr;
    QSpinBox* poolInput_ = nullptr;
    QCheckBox* contiguousInput_ = nullptr;
};

}  // namespace poolscope

#include "views/LayoutView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

#include "imaging/PixelTypeId.h"
#include "models/DisplayFormat.h"
#include "views/LayoutBands.h"

namespace poolscope {

LayoutView::LayoutView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    title_->setTextFormat(Qt::PlainText);
    QFont titleFont = title_->font();
    titleFont.setBold(true);
    title_->setFont(titleFont);
    singlePixel_ = new QLabel(this);
    singlePixel_->setWordWrap(true);
    singlePixel_->setTextFormat(Qt::PlainText);
    singlePixel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bands_ = new LayoutBands(this);
    scroll_ = new QScrollArea(this);
    scroll_->setWidget(bands_);
    scroll_->setWidgetResizable(true);
    scroll_->setFrameShape(QFrame::StyledPanel);
    layout->addWidget(title_);
    layout->addWidget(singlePixel_);
    // The bands take the room they can use and no more; what is left stays below the form.
    layout->addWidget(scroll_, 100);
    // The form never shrinks below what its fields need; the bands scroll instead.
    QWidget* calculator = createCalculatorForm();
    calculator->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    layout->addWidget(calculator);
    layout->addStretch(1);
    showLiveAllocation();
}

LayoutView::~LayoutView() = default;

QSize LayoutView::sizeHint() const {
    return {700, QWidget::sizeHint().height()};
}

QWidget* LayoutView::createCalculatorForm() {
    auto* box =
        new QGroupBox(tr("Calculator: the layout of an image, without allocating it"), this);
    auto* grid = new QGridLayout(box);
    widthInput_ = new QSpinBox(box);
    widthInput_->setRange(1, std::numeric_limits<int>::max());
    widthInput_->setValue(4000);
    widthInput_->setGroupSeparatorShown(true);
    heightInput_ = new QSpinBox(box);
    heightInput_->setRange(1, std::numeric_limits<int>::max());
    heightInput_->setValue(3000);
    heightInput_->setGroupSeparatorShown(true);
    pixelTypeInput_ = new QComboBox(box);
    for (const PixelTypeInfo& type : kPixelTypes) {
        pixelTypeInput_->addItem(tr("%1 (%2 B)")
                                     .arg(QString::fromStdString(type.optionName()))
                                     .arg(type.bytesPerPixel()),
                                 type.bytesPerPixel());
    }
    poolInput_ = new QSpinBox(box);
    poolInput_->setRange(-1, 1024 * 1024);
    poolInput_->setSpecialValueText(tr("machine default"));
    poolInput_->setSuffix(DisplayFormat::mebibyteSuffix());
    poolInput_->setValue(-1);
    poolInput_->setToolTip(tr("Maximum pool size; the lowest value means the machine's default"));
    contiguousInput_ = new QCheckBox(tr("Prefer contiguous buffers"), box);
    auto* calculate = new QPushButton(tr("Calculate"), box);
    calculate->setObjectName(QStringLiteral("calculateButton"));
    calculate->setDefault(true);
    connect(calculate, &QPushButton::clicked, this, [this] { calculateFromForm(); });
    auto* back = new QPushButton(tr("Show selection"), box);
    back->setToolTip(tr("Back to the selected (or largest) live image buffer"));
    connect(back, &QPushButton::clicked, this, [this] {
        calculatorShown_ = false;
        showLiveAllocation();
    });

    grid->addWidget(new QLabel(tr("Width"), box), 0, 0);
    grid->addWidget(widthInput_, 0, 1);
    grid->addWidget(new QLabel(tr("Height"), box), 0, 2);
    grid->addWidget(heightInput_, 0, 3);
    grid->addWidget(new QLabel(tr("Pixel type"), box), 0, 4);
    grid->addWidget(pixelTypeInput_, 0, 5);
    grid->addWidget(new QLabel(tr("Max pool"), box), 1, 0);
    grid->addWidget(poolInput_, 1, 1);
    grid->addWidget(contiguousInput_, 1, 2, 1, 2);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(calculate);
    buttons->addWidget(back);
    grid->addLayout(buttons, 1, 4, 1, 2);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);
    return box;
}

void LayoutView::calculateFromForm() {
    ImageLayoutRequest request;
    request.width = widthInput_->value();
    request.height = heightInput_->value();
    request.bytesPerPixel = pixelTypeInput_->currentData().toInt();
    if (poolInput_->value() >= 0) {
        request.maximumPoolSizeMegabytes = poolInput_->value();
    }
    request.preferContiguous = contiguousInput_->isChecked();
    showCalculation(request);
}

void LayoutView::setSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
    if (!snapshot) {
        return;
    }
    // The session shares one allocation table between snapshots while nothing changed.
    const bool tableChanged = !snapshot_ || snapshot_->allocations != snapshot->allocations;
    snapshot_ = snapshot;
    if (tableChanged && !calculatorShown_) {
        showLiveAllocation();
    }
}

void LayoutView::setSelectedAllocation(quint64 id) {
    selected_ = id;
    calculatorShown_ = false;
    showLiveAllocation();
}

int LayoutView::bandCount() const {
    return bands_->count();
}

QString LayoutView::singlePixelMemoryText() const {
    return singlePixel_->text();
}

QStringList LayoutView::bandLabels() const {
    return bands_->labels();
}

QString LayoutView::titleText() const {
    return title_->text();
}

void LayoutView::present(const ImageLayoutDescription& description) {
    shownAllocation_ = description.shownAllocation;
    title_->setText(description.title);
    singlePixel_->setText(description.singlePixelText);
    bands_->setEmptyText(description.emptyText);
    bands_->setBands(description.bands);
    scroll_->setMaximumHeight(bands_->contentHeight() + 2 * scroll_->frameWidth());
}

void LayoutView::showLiveAllocation() {
    present(ImageLayoutDescription::ofAllocation(snapshot_ ? snapshot_->allocations.get() : nullptr,
                                                 selected_));
}

void LayoutView::showCalculation(const ImageLayoutRequest& request) {
    calculatorShown_ = true;
    // The form shows what was asked, whoever asked.
    widthInput_->setValue(static_cast<int>(
        std::clamp<std::int64_t>(request.width, widthInput_->minimum(), widthInput_->maximum())));
    heightInput_->setValue(static_cast<int>(std::clamp<std::int64_t>(
        request.height, heightInput_->minimum(), heightInput_->maximum())));
    if (pixelTypeInput_->currentData().toInt() != request.bytesPerPixel) {
        const int index = pixelTypeInput_->findData(request.bytesPerPixel);
        if (index >= 0) {
            pixelTypeInput_->setCurrentIndex(index);
        }
    }
    poolInput_->setValue(request.maximumPoolSizeMegabytes
                             ? static_cast<int>(std::clamp<std::int64_t>(
                                   *request.maximumPoolSizeMegabytes, 0, poolInput_->maximum()))
                             : -1);
    contiguousInput_->setChecked(request.preferContiguous);

    present(ImageLayoutDescription::ofRequest(request));
}

}  // namespace poolscope

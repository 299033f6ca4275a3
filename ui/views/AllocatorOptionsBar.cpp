#include "views/AllocatorOptionsBar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>

#include "models/DisplayFormat.h"

namespace poolscope {

AllocatorOptionsBar::AllocatorOptionsBar(QWidget* parent) : QToolBar(tr("Allocator"), parent) {
    setObjectName(QStringLiteral("AllocatorToolBar"));
    allocatorKind_ = new QComboBox(this);
    allocatorKind_->setObjectName(QStringLiteral("allocatorKind"));
    allocatorKind_->addItem(tr("Pool"));
    allocatorKind_->addItem(tr("GC-backed"));
    allocatorKind_->setToolTip(
        tr("Pixel memory from the chunk pool, or from managed arrays on the GC heap"));
    poolMegabytes_ = new QSpinBox(this);
    poolMegabytes_->setObjectName(QStringLiteral("poolMegabytes"));
    poolMegabytes_->setRange(0, 1 << 20);
    poolMegabytes_->setSuffix(DisplayFormat::mebibyteSuffix());
    poolMegabytes_->setValue(static_cast<int>(EngineSession::kDefaultPoolSizeMegabytes));
    poolMegabytes_->setToolTip(tr("Maximum pool size (0: no pool, every chunk unpooled)"));
    trimSeconds_ = new QSpinBox(this);
    trimSeconds_->setObjectName(QStringLiteral("trimSeconds"));
    trimSeconds_->setRange(0, 3600);
    trimSeconds_->setSpecialValueText(tr("scenario's trim"));
    trimSeconds_->setSuffix(tr(" s trim"));
    trimSeconds_->setToolTip(tr("Trim period of the pool (0: as the scenario sets it)"));
    addWidget(new QLabel(tr(" Allocator "), this));
    addWidget(allocatorKind_);
    addWidget(new QLabel(tr(" Max pool "), this));
    addWidget(poolMegabytes_);
    addWidget(trimSeconds_);
    preferContiguous_ = new QCheckBox(tr("Prefer contiguous"), this);
    preferContiguous_->setObjectName(QStringLiteral("preferContiguous"));
    preferContiguous_->setToolTip(
        tr("Images get one buffer each (preferContiguousImageBuffers) instead of 4 MiB chunks"));
    addWidget(preferContiguous_);

    connect(allocatorKind_, &QComboBox::currentIndexChanged, this,
            &AllocatorOptionsBar::optionsChanged);
    connect(poolMegabytes_, &QSpinBox::valueChanged, this, &AllocatorOptionsBar::optionsChanged);
    connect(trimSeconds_, &QSpinBox::valueChanged, this, &AllocatorOptionsBar::optionsChanged);
    connect(preferContiguous_, &QCheckBox::toggled, this, &AllocatorOptionsBar::optionsChanged);
}

SessionAllocatorOptions AllocatorOptionsBar::options() const {
    SessionAllocatorOptions options;
    options.maximumPoolSizeMegabytes = poolMegabytes_->value();
    if (trimSeconds_->value() > 0) {
        options.trimPeriodMilliseconds = trimSeconds_->value() * 1000;
    }
    options.gcBacked = allocatorKind_->currentIndex() == 1;
    options.preferContiguous = preferContiguous_->isChecked();
    return options;
}

void AllocatorOptionsBar::setOptions(const SessionAllocatorOptions& options) {
    poolMegabytes_->setValue(static_cast<int>(options.maximumPoolSizeMegabytes));
    trimSeconds_->setValue(options.trimPeriodMilliseconds ? *options.trimPeriodMilliseconds / 1000
                                                          : 0);
    allocatorKind_->setCurrentIndex(options.gcBacked ? 1 : 0);
    preferContiguous_->setChecked(options.preferContiguous);
}

void AllocatorOptionsBar::setEditable(bool editable) {
    allocatorKind_->setEnabled(editable);
    poolMegabytes_->setEnabled(editable);
    trimSeconds_->setEnabled(editable);
    preferContiguous_->setEnabled(editable);
}

void AllocatorOptionsBar::restoreSettings(const QSettings& settings) {
    poolMegabytes_->setValue(settings
                                 .value(QStringLiteral("allocator/poolMegabytes"),
                                        static_cast<int>(EngineSession::kDefaultPoolSizeMegabytes))
                                 .toInt());
    trimSeconds_->setValue(settings.value(QStringLiteral("allocator/trimSeconds"), 0).toInt());
    allocatorKind_->setCurrentIndex(
        settings.value(QStringLiteral("allocator/gcBacked"), false).toBool() ? 1 : 0);
    preferContiguous_->setChecked(
        settings.value(QStringLiteral("allocator/preferContiguous"), false).toBool());
}

void AllocatorOptionsBar::saveSettings(QSettings& settings) const {
    settings.setValue(QStringLiteral("allocator/poolMegabytes"), poolMegabytes_->value());
    settings.setValue(QStringLiteral("allocator/trimSeconds"), trimSeconds_->value());
    settings.setValue(QStringLiteral("allocator/gcBacked"), allocatorKind_->currentIndex() == 1);
    settings.setValue(QStringLiteral("allocator/preferContiguous"), preferContiguous_->isChecked());
}

}  // namespace poolscope

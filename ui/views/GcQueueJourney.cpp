#include "views/GcQueueJourney.h"

#include <QLabel>
#include <QVariantAnimation>
#include <QWidget>

namespace poolscope {

GcQueueJourney::GcQueueJourney(QWidget* host)
    : QObject(host), host_(host), animation_(new QVariantAnimation(this)) {
    animation_->setDuration(kMilliseconds);
    animation_->setStartValue(0.0);
    animation_->setEndValue(1.0);
    animation_->setEasingCurve(QEasingCurve::InOutCubic);
    connect(animation_, &QVariantAnimation::valueChanged, this,
            [this](const QVariant& value) { place(value.toDouble()); });
    connect(animation_, &QVariantAnimation::finished, this, &GcQueueJourney::finish);
}

void GcQueueJourney::start(std::vector<Trip> trips) {
    finish();
    if (trips.empty()) {
        return;
    }
    trips_ = std::move(trips);
    for (const Trip& trip : trips_) {
        auto* label = new QLabel(trip.text, host_);
        label->setObjectName(QStringLiteral("queueTraveller"));
        // The selection's colours: the traveller reads as the object in hand, on either theme.
        label->setAutoFillBackground(true);
        label->setBackgroundRole(QPalette::Highlight);
        label->setForegroundRole(QPalette::HighlightedText);
        label->setMargin(2);
        label->setAttribute(Qt::WA_TransparentForMouseEvents);
        label->show();
        label->raise();
        travellers_.push_back(label);
    }
    place(0.0);
    animation_->start();
}

void GcQueueJourney::finish() {
    animation_->stop();
    for (QLabel* label : travellers_) {
        label->deleteLater();
        label->hide();
    }
    travellers_.clear();
    trips_.clear();
}

bool GcQueueJourney::running() const {
    return animation_->state() == QAbstractAnimation::Running;
}

std::vector<QRect> GcQueueJourney::travellerRects() const {
    std::vector<QRect> rects;
    for (const QLabel* label : travellers_) {
        rects.push_back(label->geometry());
    }
    return rects;
}

std::vector<QString> GcQueueJourney::travellerTexts() const {
    std::vector<QString> texts;
    for (const QLabel* label : travellers_) {
        texts.push_back(label->text());
    }
    return texts;
}

void GcQueueJourney::place(double progress) {
    const auto mix = [progress](int a, int b) {
        return static_cast<int>(a + (b - a) * progress + 0.5);
    };
    for (std::size_t i = 0; i < travellers_.size(); ++i) {
        const QRect& from = trips_[i].from;
        const QRect& to = trips_[i].to;
        travellers_[i]->setGeometry(
            QRect(QPoint(mix(from.left(), to.left()), mix(from.top(), to.top())),
                  QSize(mix(from.width(), to.width()), mix(from.height(), to.height()))));
    }
}

}  // namespace poolscope

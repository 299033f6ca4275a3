#pragma once

#include <QObject>
#include <QRect>
#include <QString>

#include <vector>

class QLabel;
class QVariantAnimation;
class QWidget;

namespace poolscope {

// Objects travelling between the heap view's queue tables: when a collection finds a finalizable
// object dead, it leaves the finalization queue for the f-reachable queue, and a label with its
// name glides from its old row to its new one over half a second, drawn over the host widget.
// A finished or skipped journey leaves nothing behind and no timer running.
class GcQueueJourney : public QObject {
    Q_OBJECT

public:
    struct Trip {
        QString text;
        QRect from;  // in the host's coordinates
        QRect to;
    };

    explicit GcQueueJourney(QWidget* host);

    void start(std::vector<Trip> trips);
    void finish();
    bool running() const;
    // Where each traveller is drawn now, in the host's coordinates; empty when none travels.
    std::vector<QRect> travellerRects() const;
    std::vector<QString> travellerTexts() const;

    static constexpr int kMilliseconds = 500;

private:
    void place(double progress);

    QWidget* host_;
    QVariantAnimation* animation_;
    std::vector<Trip> trips_;
    std::vector<QLabel*> travellers_;
};

}  // namespace poolscope

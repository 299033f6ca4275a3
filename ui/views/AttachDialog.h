#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <QString>

#include <vector>

#include "link/LinkDirectory.h"

class QLabel;
class QPushButton;
class QTreeWidget;

namespace poolscope {

// File > Attach…: the programs listening on the live link (started with POOLSCOPE_LISTEN=1),
// by name, pid, start time and allocator. The list is gathered off the GUI thread: asking a
// program who it is waits on its socket.
class AttachDialog : public QDialog {
    Q_OBJECT

public:
    explicit AttachDialog(QWidget* parent = nullptr);

    // The chosen program's socket; empty when none is chosen.
    QString selectedSocketPath() const;
    // How many programs the last listing found.
    int programCount() const;

public slots:
    void refresh();

signals:
    // A listing came in.
    void listed();

private:
    void show(const std::vector<ListedProgram>& programs);

    QTreeWidget* programs_ = nullptr;
    QLabel* hint_ = nullptr;
    QPushButton* attachButton_ = nullptr;
    QPushButton* refreshButton_ = nullptr;
    QFutureWatcher<std::vector<ListedProgram>> listing_;
};

}  // namespace poolscope

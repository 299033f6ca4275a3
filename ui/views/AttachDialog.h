#pragma once

#include <QDialog>
#include <QFutureWatcher>
#include <QString>

#include <sys/types.h>

#include <vector>

#include "link/LinkDirectory.h"
#include "native/ProcessList.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace poolscope {

// File > Attach…: the programs listening on the live link (started with POOLSCOPE_LISTEN=1),
// by name, pid, start time and allocator; and below them every process of the user, which can
// be sampled from /proc without the link (memory and descriptors, no stacks). The lists are
// gathered off the GUI thread: asking a program who it is waits on its socket.
class AttachDialog : public QDialog {
    Q_OBJECT

public:
    explicit AttachDialog(QWidget* parent = nullptr);

    // The chosen program's socket; empty when none is chosen, or a process to sample is.
    QString selectedSocketPath() const;
    // The chosen process to sample from /proc; 0 when none is, or a program on the link is.
    pid_t selectedProcessId() const;
    // How many programs the last listing found.
    int programCount() const;
    // How many processes of the user the last listing found (all, shown or filtered out).
    int processCount() const;

public slots:
    void refresh();

signals:
    // A listing came in.
    void listed();

private:
    struct Listing {
        std::vector<ListedProgram> programs;
        std::vector<ListedProcess> processes;
    };

    void show(const Listing& listing);
    void showProcesses(const std::vector<ListedProcess>& processes);
    void filterProcesses(const QString& text);
    void updateAttachButton();

    QTreeWidget* programs_ = nullptr;
    QTreeWidget* processes_ = nullptr;
    QLineEdit* processFilter_ = nullptr;
    QLabel* hint_ = nullptr;
    QPushButton* attachButton_ = nullptr;
    QPushButton* refreshButton_ = nullptr;
    QFutureWatcher<Listing> listing_;
};

}  // namespace poolscope

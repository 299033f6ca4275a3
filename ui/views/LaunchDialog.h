#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

#include <memory>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace poolscope {

class LaunchedProgram;

// File > Launch Program…: a program, its arguments (one line, quoted as a shell would), the
// directory it runs in and, if wanted, a file its recording goes to. Launch starts it under the
// interposer; when it cannot be started the dialog stays open and says why, and for a program
// LD_PRELOAD cannot watch (static or setuid) offers File > Attach… instead. The fields are
// remembered.
class LaunchDialog : public QDialog {
    Q_OBJECT

public:
    explicit LaunchDialog(QWidget* parent = nullptr);

    void setProgram(const QString& program);
    void setArguments(const QString& arguments);
    void setWorkingDirectory(const QString& directory);
    void setRecordTo(const QString& path);

    // The arguments line split as a shell would: quotes group, backslashes escape.
    QStringList arguments() const;
    // Where the recording goes; empty: where a run's recording goes.
    QString recordTo() const;
    // The program started by launch(); null before, or when it could not be started.
    const std::shared_ptr<LaunchedProgram>& launchedProgram() const { return program_; }
    // Why the last launch() failed; empty when it did not.
    QString errorText() const;
    bool attachOffered() const;

public slots:
    // Starts the program as the fields say and accepts; on failure shows why and stays open.
    bool launch();

signals:
    // The person took the offer of File > Attach… for a program LD_PRELOAD cannot watch.
    void attachRequested();

private:
    QLineEdit* addPathRow(QFormLayout* form, const QString& label, const QString& name,
                          bool directory);
    void showError(const QString& text, bool offerAttach);
    void saveFields() const;

    QLineEdit* programPath_ = nullptr;
    QLineEdit* arguments_ = nullptr;
    QLineEdit* workingDirectory_ = nullptr;
    QLineEdit* recordTo_ = nullptr;
    QLabel* error_ = nullptr;
    QPushButton* attachButton_ = nullptr;
    std::shared_ptr<LaunchedProgram> program_;
};

}  // namespace poolscope

#include "views/LaunchDialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "models/ShellWords.h"
#include "native/LaunchedProgram.h"

namespace poolscope {

namespace {

const QString kProgramKey = QStringLiteral("launch/program");
const QString kArgumentsKey = QStringLiteral("launch/arguments");
const QString kDirectoryKey = QStringLiteral("launch/workingDirectory");
const QString kRecordToKey = QStringLiteral("launch/recordTo");

}  // namespace

LaunchDialog::LaunchDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Launch a Program"));
    setObjectName(QStringLiteral("LaunchDialog"));
    auto* form = new QFormLayout;
    programPath_ = addPathRow(form, tr("&Program"), QStringLiteral("program"), false);
    programPath_->setToolTip(tr("A path, or a name found in PATH"));
    arguments_ = new QLineEdit(this);
    arguments_->setObjectName(QStringLiteral("arguments"));
    arguments_->setToolTip(tr("As in a shell: 'quoted words' stay one"));
    form->addRow(tr("&Arguments"), arguments_);
    workingDirectory_ =
        addPathRow(form, tr("&Working directory"), QStringLiteral("workingDirectory"), true);
    workingDirectory_->setToolTip(tr("Empty: PoolScope's own"));
    recordTo_ = addPathRow(form, tr("&Record to"), QStringLiteral("recordTo"), false);
    recordTo_->setToolTip(tr("Optional: File > Save keeps the recording afterwards too"));

    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("launchError"));
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet(QStringLiteral("color: #d04040"));
    error_->hide();

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* launchButton = buttons->addButton(tr("&Launch"), QDialogButtonBox::AcceptRole);
    launchButton->setDefault(true);
    attachButton_ = buttons->addButton(tr("&Attach Instead…"), QDialogButtonBox::ActionRole);
    attachButton_->setObjectName(QStringLiteral("attachInsteadButton"));
    attachButton_->hide();
    connect(buttons, &QDialogButtonBox::accepted, this, &LaunchDialog::launch);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(attachButton_, &QPushButton::clicked, this, [this] {
        reject();
        emit attachRequested();
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(error_);
    layout->addWidget(buttons);
    resize(620, sizeHint().height());

    const QSettings settings;
    programPath_->setText(settings.value(kProgramKey).toString());
    arguments_->setText(settings.value(kArgumentsKey).toString());
    workingDirectory_->setText(settings.value(kDirectoryKey).toString());
    recordTo_->setText(settings.value(kRecordToKey).toString());
}

QLineEdit* LaunchDialog::addPathRow(QFormLayout* form, const QString& label, const QString& name,
                                    bool directory) {
    auto* edit = new QLineEdit(this);
    edit->setObjectName(name);
    auto* browse = new QPushButton(tr("Browse…"), this);
    browse->setObjectName(name + QStringLiteral("Browse"));
    connect(browse, &QPushButton::clicked, this, [this, edit, directory, name] {
        const QString chosen =
            directory
                ? QFileDialog::getExistingDirectory(this, tr("Working directory"), edit->text())
            : name == QLatin1String("recordTo")
                ? QFileDialog::getSaveFileName(this, tr("Record to"), edit->text(),
                                               tr("PoolScope recordings (*.psrec)"))
                : QFileDialog::getOpenFileName(this, tr("Program"), edit->text());
        if (!chosen.isEmpty()) {
            edit->setText(chosen);
        }
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(label, row);
    return edit;
}

void LaunchDialog::setProgram(const QString& program) {
    programPath_->setText(program);
}

void LaunchDialog::setArguments(const QString& arguments) {
    arguments_->setText(arguments);
}

void LaunchDialog::setWorkingDirectory(const QString& directory) {
    workingDirectory_->setText(directory);
}

void LaunchDialog::setRecordTo(const QString& path) {
    recordTo_->setText(path);
}

QStringList LaunchDialog::arguments() const {
    return ShellWords::split(arguments_->text()).value_or(QStringList());
}

QString LaunchDialog::recordTo() const {
    return recordTo_->text().trimmed();
}

QString LaunchDialog::errorText() const {
    return error_->isVisibleTo(this) ? error_->text() : QString();
}

bool LaunchDialog::attachOffered() const {
    return attachButton_->isVisibleTo(this);
}

void LaunchDialog::showError(const QString& text, bool offerAttach) {
    error_->setText(text);
    error_->show();
    attachButton_->setVisible(offerAttach);
}

bool LaunchDialog::launch() {
    const QString program = programPath_->text().trimmed();
    if (program.isEmpty()) {
        showError(tr("Name the program to launch."), false);
        return false;
    }
    const std::optional<QStringList> words = ShellWords::split(arguments_->text());
    if (!words) {
        showError(tr("The arguments have a quote left open or end in a lone backslash."), false);
        return false;
    }
    LaunchedProgram::Options options;
    options.program = program.toStdString();
    for (const QString& word : *words) {
        options.arguments.push_back(word.toStdString());
    }
    options.workingDirectory = workingDirectory_->text().trimmed().toStdString();
    options.preloadLibrary = LaunchedProgram::preloadLibrary();
    try {
        program_ = std::make_shared<LaunchedProgram>(options);
    } catch (const LaunchError& error) {
        showError(error.offerAttach()
                      ? tr("%1\nFile > Attach… can watch a program that is already running "
                           "instead.")
                            .arg(QString::fromUtf8(error.what()))
                      : QString::fromUtf8(error.what()),
                  error.offerAttach());
        return false;
    } catch (const std::exception& error) {
        showError(QString::fromUtf8(error.what()), false);
        return false;
    }
    saveFields();
    accept();
    return true;
}

void LaunchDialog::saveFields() const {
    QSettings settings;
    settings.setValue(kProgramKey, programPath_->text().trimmed());
    settings.setValue(kArgumentsKey, arguments_->text());
    settings.setValue(kDirectoryKey, workingDirectory_->text().trimmed());
    settings.setValue(kRecordToKey, recordTo());
}

}  // namespace poolscope

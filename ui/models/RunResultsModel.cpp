#include "models/RunResultsModel.h"

#include <QDir>

#include <cctype>

namespace poolscope {

namespace {

// Internal ids: 0 for a section, section + 1 for the rows under it.
constexpr quintptr kSectionId = 0;

const char* const kFiguresTitle = "Figures";
const char* const kLeakStacksTitle = "Leaking stacks";

bool isIdentifier(const std::string& name) {
    if (name.empty()) {
        return false;
    }
    for (const char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

}  // namespace

RunResultsModel::RunResultsModel(QObject* parent) : QAbstractItemModel(parent) {}

QString RunResultsModel::plainWords(const std::string& name) {
    if (!isIdentifier(name)) {
        return QString::fromStdString(name);
    }
    QStringList words;
    QString word;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        const bool upper = std::isupper(c) != 0;
        const bool digit = std::isdigit(c) != 0;
        const bool previousDigit =
            i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1])) != 0;
        if (!word.isEmpty() && (upper || digit != previousDigit)) {
            words.push_back(word);
            word.clear();
        }
        word += QChar::fromLatin1(static_cast<char>(std::tolower(c)));
    }
    words.push_back(word);
    for (QString& each : words) {
        // The acronyms the scenarios' figure names use.
        if (each == QLatin1String("gc") || each == QLatin1String("loh")) {
            each = each.toUpper();
        }
    }
    QString text = words.join(QLatin1Char(' '));
    text[0] = text[0].toUpper();
    return text;
}

void RunResultsModel::showReport(const ScenarioRunReport& report) {
    beginResetModel();
    sections_ = RunSummary::sections(report);
    if (!report.leaks.empty()) {
        RunSummary::Section stacks{kLeakStacksTitle, {}};
        const std::vector<RunSummary::LeakStack> leakStacks = RunSummary::leakStacks(report.leaks);
        for (std::size_t i = 0; i < leakStacks.size(); ++i) {
            stacks.rows.push_back(
                {"Stack " + std::to_string(i + 1), RunSummary::describe(leakStacks[i])});
        }
        sections_.push_back(std::move(stacks));
    }
    scenario_ = QString::fromStdString(report.scenario);
    message_.clear();
    outputFolder_.clear();
    for (const auto& [name, value] : report.outcome.figures) {
        if (name == "output") {
            outputFolder_ = QDir::cleanPath(QString::fromStdString(scenarioValueToString(value)));
        }
    }
    endResetModel();
}

void RunResultsModel::showMessage(const QString& message) {
    beginResetModel();
    sections_.clear();
    scenario_.clear();
    outputFolder_.clear();
    message_ = message;
    endResetModel();
}

QString RunResultsModel::value(const QString& section, const QString& printedLabel) const {
    for (const RunSummary::Section& each : sections_) {
        if (QString::fromStdString(each.title) != section) {
            continue;
        }
        for (const RunSummary::Row& row : each.rows) {
            if (QString::fromStdString(row.label) == printedLabel) {
                return QString::fromStdString(row.value);
            }
        }
    }
    return {};
}

QModelIndex RunResultsModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < static_cast<int>(sections_.size()) ? createIndex(row, column, kSectionId)
                                                        : QModelIndex();
    }
    if (parent.internalId() != kSectionId) {
        return {};
    }
    const auto& rows = sections_[static_cast<std::size_t>(parent.row())].rows;
    return row < static_cast<int>(rows.size())
               ? createIndex(row, column, static_cast<quintptr>(parent.row()) + 1)
               : QModelIndex();
}

QModelIndex RunResultsModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kSectionId) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kSectionId);
}

int RunResultsModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(sections_.size());
    }
    if (parent.internalId() != kSectionId || parent.column() != 0) {
        return 0;
    }
    return static_cast<int>(sections_[static_cast<std::size_t>(parent.row())].rows.size());
}

int RunResultsModel::columnCount(const QModelIndex& /*parent*/) const {
    return ColumnCount;
}

QVariant RunResultsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    if (index.internalId() == kSectionId) {
        const RunSummary::Section& section = sections_[static_cast<std::size_t>(index.row())];
        if ((role == Qt::DisplayRole || role == PrintedLabelRole) && index.column() == 0) {
            return QString::fromStdString(section.title);
        }
        return {};
    }
    const RunSummary::Section& section = sections_[index.internalId() - 1];
    const RunSummary::Row& row = section.rows[static_cast<std::size_t>(index.row())];
    const bool figure = section.title == kFiguresTitle;
    switch (role) {
        case Qt::DisplayRole:
            if (index.column() == LabelColumn) {
                return figure ? plainWords(row.label) : QString::fromStdString(row.label);
            }
            return QString::fromStdString(row.value);
        case Qt::ToolTipRole:
            return QString::fromStdString(index.column() == LabelColumn ? row.label : row.value);
        case PrintedLabelRole:
            return QString::fromStdString(row.label);
        default:
            return {};
    }
}

QVariant RunResultsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == LabelColumn ? tr("Result") : tr("Value");
}

}  // namespace poolscope

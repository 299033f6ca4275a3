#pragma once

#include <QAbstractItemModel>
#include <QString>

#include <vector>

#include "scenarios/RunSummary.h"

namespace poolscope {

// A run's report as the Results view shows it: RunSummary's sections (what `poolscope run`
// prints) as a tree of sections and their labelled values, the scenario's figures under
// plain-words labels, and the stacks of the leaks found. Or, when there is no report to show,
// a message saying why.
class RunResultsModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { LabelColumn, ValueColumn, ColumnCount };
    // The label as `poolscope run` prints it (a figure's own name), on the label column.
    static constexpr int PrintedLabelRole = Qt::UserRole + 1;

    explicit RunResultsModel(QObject* parent = nullptr);

    void showReport(const ScenarioRunReport& report);
    // No report: the model empties and says why.
    void showMessage(const QString& message);

    const QString& message() const { return message_; }
    const QString& scenario() const { return scenario_; }
    // The value a section shows for a printed label; empty when there is none.
    QString value(const QString& section, const QString& printedLabel) const;
    const std::vector<RunSummary::Section>& sections() const { return sections_; }
    // The folder the run wrote its files to (a scenario's "output" figure); empty when none.
    const QString& outputFolder() const { return outputFolder_; }

    // "imagesPerSide" -> "Images per side", "gcCollectionsGen0" -> "GC collections gen 0";
    // anything but a plain identifier (a file name) is left as it is.
    static QString plainWords(const std::string& name);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<RunSummary::Section> sections_;
    QString message_;
    QString scenario_;
    QString outputFolder_;
};

}  // namespace poolscope

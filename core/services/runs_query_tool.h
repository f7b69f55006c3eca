// The query_runs tool: lets the chat model answer questions about Hone's own training runs ("which run had
// the lowest eval loss?") from hone.db, opened read-only for each call (never created, migrated or written).
#pragma once

#include "tools/tool.h"

#include <QString>

namespace hone {

class RunsQueryTool : public tools::Tool {
public:
    explicit RunsQueryTool(QString databasePath);

    std::string name() const override { return "query_runs"; }
    std::string description() const override;
    Json parameters() const override;

protected:
    tools::ToolResult run(const Json& arguments, tools::Deadline deadline) override;

private:
    QString path_;
};

} // namespace hone

// The outbox row of a scheduled report email (issue 19): kind "report_email", its message
// written in full when it is enqueued (connector/app/scheduled_reports.cpp), so that the
// worker only addresses and sends it, with the same retries, leases and dead letters as
// every other email.
//
// PRIVACY (DESIGN.md §4): the report it carries is the suppressed report HR may read; no
// applicant data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/notify/message.hpp"

namespace mangfold::notify {

inline constexpr std::string_view kReportEmailKind = "report_email";

struct ReportEmailPayload {
  int version = 1;
  std::string key;       // idempotency key = Message-ID left part
  std::string tenant;    // for the log
  std::string period;    // "YYYY-MM"
  std::string language;  // Content-Language
  std::int64_t date = 0;
  std::vector<Address> to;
  std::string subject, text, html;
};

std::string to_json(const ReportEmailPayload& payload);
// kInvalidArgument for text that is not such a payload.
Result<ReportEmailPayload> parse_report_email(std::string_view json);
// The message, From `from`.
Message compose_report_email(const ReportEmailPayload& payload, const Address& from);

}  // namespace mangfold::notify

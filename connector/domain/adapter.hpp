// The one interface every ATS adapter implements (adapters/<name>/).
//
// An adapter turns an inbound webhook request, already verified, into a domain event:
// an event id and either the vacancy's current snapshot (a "fat" event) or only the
// vacancy's id (a "thin" event), in which case the connector asks the adapter to fetch
// the snapshot from the ATS on a worker thread. Adapters that can also write a job ad
// back to the ATS say so. The core never includes an adapter's header; connector/app
// wires adapters by name. Implementations are immutable after construction and
// thread-safe; fetch_snapshot and write_ad may block (never called on an io thread).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::domain {

struct InboundRequest {
  std::string_view body;
  // Header value by name (case-insensitive), or nullopt.
  std::function<std::optional<std::string_view>(std::string_view)> header;
};

// What an adapter's discover() found.
struct Discovery {
  std::vector<std::string> vacancies;  // each id once
  // Of those, the ones to fetch at once rather than in their turn, because something just
  // happened to them (e.g. the ATS reported a hire).
  std::vector<std::string> due_now;
  // Secondary sources that could not be read this time (e.g. the ATS's hired list while its API
  // is down): logged by the caller; what they would have added comes at a later discovery.
  std::vector<std::string> problems;
};

struct InboundEvent {
  std::string id;          // the sender's event id; empty when the body carries none
  std::string type;        // informational
  std::string vacancy_id;  // always set
  // The whole current state, for a fat event; nullopt for a thin event (fetch it).
  std::optional<Snapshot> snapshot;
  // Set when the request is an activation handshake rather than an event: the connector
  // answers exactly this and does nothing else (vacancy_id is then empty).
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::optional<Reply> reply;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;

  // kInvalidArgument for a malformed body, kUnprocessable for one that does not map to
  // the domain. Messages name the failing field, never quote its value.
  virtual Result<InboundEvent> parse(const InboundRequest& request) const = 0;

  // Whether fetch_snapshot works for this adapter as configured (thin events, reconcile).
  virtual bool fetches() const { return false; }

  // The vacancy's current snapshot from the ATS's API. kUnavailable for transient
  // failures (retry later), kNotFound for an unknown vacancy, kFailedPrecondition when
  // the adapter has no API configured.
  virtual Result<Snapshot> fetch_snapshot(std::string_view vacancy_id) const {
    (void)vacancy_id;
    return failed_precondition(std::string(name()) + " adapter has no API to fetch from");
  }

  // Whether discover works for this adapter as configured (sync mode).
  virtual bool discovers() const { return false; }

  // The vacancies the ATS lists now (e.g. its advert feed), so that a tenant is followed
  // without any webhook. A vacancy found once is stored and followed until it closes, also
  // after it leaves this list. Errors as for fetch_snapshot.
  virtual Result<Discovery> discover() const {
    return failed_precondition(std::string(name()) + " adapter cannot list vacancies");
  }

  // Whether write_ad works for this adapter as configured.
  virtual bool writes_ads() const { return false; }

  // Writes a job ad's new body back to the ATS. `request_id` is the idempotency key:
  // the same id must never change the ad twice. Errors as for fetch_snapshot.
  virtual Status write_ad(std::string_view vacancy_id, const JobAd& ad,
                          std::string_view request_id) const {
    (void)vacancy_id, (void)ad, (void)request_id;
    return failed_precondition(std::string(name()) + " adapter cannot write ads back");
  }
};

}  // namespace mangfold::domain

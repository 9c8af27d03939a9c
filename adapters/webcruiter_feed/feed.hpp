// Webcruiter's public advert feed (RSS 2.0 with the `wc:` namespace,
// ../shared/reference/webcruiter.md) read into job ads, for `mangfold audit-feed`.
// The namespace is matched by its URI, whatever prefix a feed binds it to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::webcruiter_feed {

struct FeedAd {
  std::string advert_id;
  std::string title;
  std::string link;
  std::string company;
  std::string deadline;  // wc:apply_within_date, as given
  std::vector<std::string> job_types;
  domain::JobAd ad;  // HTML of the ad's text sections; language from Culture_Id
};

// kInvalidArgument for XML that does not parse (with the byte offset) or is not an RSS
// feed; items without an AdvertId are kept with an empty id.
Result<std::vector<FeedAd>> parse_feed(std::string_view xml);

}  // namespace mangfold::webcruiter_feed

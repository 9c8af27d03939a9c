// Mistakes in mapping files: each is reported as file:line:column: key.path: message, and
// loading goes on so that one `mangfold check` lists them all.
#include <doctest/doctest.h>

#include "generic_test_support.hpp"

using namespace generic_test;

TEST_CASE("a broken mapping file: every mistake with its line, column and key path") {
  const std::string file = source_path("tests/fixtures/generic/broken_mapping.yaml");
  std::vector<std::string> lines;
  for (const auto& d : mangfold::generic::check_mapping_file(file, mangfold::config::read_file))
    lines.push_back(d.to_string().substr(file.size()));
  const std::vector<std::string> expected = {
      ":5:1: evnt: unknown key (did you mean 'event'?)",
      ":7:9: event.type: a JSON Pointer starts with '/' (or '$/' for the document root), e.g. "
      "/payload/id; "
      "a fixed text is written {value: ...}",
      ":13:9: events.job.created.snapshot.vacancy.titel: unknown key (did you mean 'title'?)",
      ":14:51: events.job.created.snapshot.vacancy.status.map.live: 'opn': not a vacancy status "
      "(expected one of: "
      "open, closed)",
      ":18:51: events.job.created.snapshot.applications.stage.map.I: 'intervju': not a stage "
      "(expected one of: "
      "applied, interview, interviewed, recommended, offered, hired, rejected, withdrawn)",
      ":20:41: events.job.created.snapshot.applications.answers.immigrant_background.value: an "
      "answer comes from "
      "the applicant's own answer in the payload: use pointer, find, each or first_of",
      ":21:46: events.job.created.snapshot.applications.answers.disability.default: an answer the "
      "applicant did not "
      "give is unknown, never yes or no: use unknown",
      ":22:33: events.application.moved.snapshot: no shape named 'applicaton' under shapes (did "
      "you mean "
      "'application'?)",
      ":23:3: events.ping: give only one of snapshot, vacancy_id, lookup, ignore",
      ":27:13: api.base_url: expected an https:// URL without query, e.g. https://api.example.com "
      "or "
      "https://api.example.com/accounts/{config:account_id}",
      ":31:18: api.fetch.requests.job.url: unknown placeholder {vacancy} (expected {/pointer}, "
      "{vacancy_id})",
      ":32:19: api.fetch.requests.apps.url: {/jbo/id} must name a request declared before 'apps', "
      "e.g. {/job/id}",
  };
  CHECK(lines == expected);
  if (lines != expected)
    for (const std::string& l : lines)
      MESSAGE(l);
}

TEST_CASE("each kind of mistake has a clear message") {
  struct Case {
    const char* what;
    std::string yaml;
    std::string expected;  // the complete diagnostic after "/mem/mapping.yaml:"
  };
  const std::string events = "events:\n  any: {snapshot: {vacancy: {id: /id}}}\n";
  const Case cases[] = {
      {"not a mapping file", "name: x\n" + events, "1:1: mapping_version: missing required key"},
      {"a newer version", "mapping_version: 2\n" + events,
       "1:18: mapping_version: this connector reads mapping_version 1"},
      {"YAML syntax", "mapping_version: 1\nevents: [\n",
       "3:1: YAML syntax: end of sequence flow not found"},
      {"a duplicate key", "mapping_version: 1\nname: a\nname: b\n" + events,
       "3:1: name: duplicate key"},
      {"a bad pointer escape",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /a~2}}}\n",
       "3:34: events.any.snapshot.vacancy.id: '~' in a JSON Pointer must be written ~0 ('~') or ~1 "
       "('/'); a fixed "
       "text is written {value: ...}"},
      {"two sources",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {pointer: /a, value: 1}}}}\n",
       "3:30: events.any.snapshot.vacancy.id: give only one source, not pointer and value"},
      {"no source",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {default: 1}}}}\n",
       "3:30: events.any.snapshot.vacancy.id: no source: give one of pointer, header, value, find, "
       "each, first_of, "
       "template, body_digest"},
      {"an unknown expression key",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {pointr: /a}}}}\n",
       "3:35: events.any.snapshot.vacancy.id.pointr: unknown key (did you mean 'pointer'?)"},
      {"where without find",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {pointer: /a, where: {x: "
       "1}}}}}\n",
       "3:48: events.any.snapshot.vacancy.id: where and get belong with find or each"},
      {"each for one value",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {each: /a}}}}\n",
       "3:41: events.any.snapshot.vacancy.id.each: each gives a list, and this field takes one "
       "value: use find"},
      {"first_of not a list",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {first_of: /a}}}}\n",
       "3:45: events.any.snapshot.vacancy.id.first_of: expected a list of alternatives, tried in "
       "order"},
      {"otherwise without map",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /id, title: {pointer: /t, "
       "otherwise: x}}}}\n",
       "3:71: events.any.snapshot.vacancy.title.otherwise: otherwise belongs with map"},
      {"a condition on the root",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /id}, applications: "
       "{each: /a, candidate_id: /id, where: {$/x: 1}}}}\n",
       "3:92: events.any.snapshot.applications.where.$/x: a condition tests the element itself: no "
       "'$'"},
      {"a body digest as a vacancy id",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: {body_digest: sha256}}}}\n",
       "3:48: events.any.snapshot.vacancy.id.body_digest: body_digest can only make an event id"},
      {"an answer from a template",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /id}, applications: {each: "
       "/a, candidate_id: /id, "
       "answers: {g: {template: \"{/x}\"}}}}}\n",
       "3:108: events.any.snapshot.applications.answers.g.template: an answer comes from the "
       "applicant's own answer "
       "in the payload: use pointer, find, each or first_of"},
      {"an answer group that is not an identifier",
       "mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /id}, applications: {each: "
       "/a, candidate_id: /id, "
       "answers: {Innvandrer: /x}}}}\n",
       "3:94: events.any.snapshot.applications.answers.Innvandrer: expected an identifier of "
       "lower-case letters, "
       "digits, '_' and '-', got 'Innvandrer'"},
      {"no events", "mapping_version: 1\nevents: {}\n", "2:1: events: map at least one event type"},
      {"several events without a type",
       "mapping_version: 1\nevents:\n  a: {snapshot: {vacancy: {id: /id}}}\n  b: {ignore: true}\n",
       "2:1: events: with more than one event type, say where the type is: event: {type: /action} "
       "(or {header: "
       "X-Event})"},
      {"an event that says nothing", "mapping_version: 1\nevents:\n  a: {description: x}\n",
       "3:3: events.a: say what the event carries: snapshot (the vacancy's whole state), "
       "vacancy_id (fetch the state from the ATS), lookup (an application id: api.lookup finds "
       "its vacancy) or ignore: true"},
      {"a thin event without an API", "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\n",
       "3:19: events.a.vacancy_id: a thin event needs api.fetch to get the vacancy's state from "
       "the ATS"},
      {"a header in a fetched document",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  auth: {type: bearer, secret: "
       "{env: T}}\n"
       "  fetch:\n    requests: {j: {url: \"https://x.example/{vacancy_id}\"}}\n"
       "    snapshot: {vacancy: {id: {header: X-Id}}}\n",
       "8:39: api.fetch.snapshot.vacancy.id.header: there are no request headers here (only in the "
       "webhook's own "
       "fields)"},
      {"a GET with a body",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  auth: {type: bearer, secret: "
       "{env: T}}\n"
       "  fetch:\n    requests: {j: {url: \"https://x.example/\", body: {id: \"{vacancy_id}\"}}}\n"
       "    snapshot: {vacancy: {id: /j/id}}\n",
       "7:47: api.fetch.requests.j.body: a GET request has no body: add method: POST"},
      {"two kinds of pagination",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  auth: {type: bearer, secret: "
       "{env: T}}\n"
       "  fetch:\n    requests: {j: {url: \"https://x.example/\", paginate: {link_header: true, "
       "next_url: /next}}}\n"
       "    snapshot: {vacancy: {id: /j/id}}\n",
       "7:47: api.fetch.requests.j.paginate: give one of link_header: true, next_url: /pointer, "
       "cursor: /pointer, page: query_parameter, offset: query_parameter"},
      {"an API without credentials",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  fetch:\n    requests: {j: "
       "{url: "
       "\"https://x.example/\"}}\n    snapshot: {vacancy: {id: /j/id}}\n",
       "4:1: api: no auth: an ATS API needs credentials (auth: {type: bearer, secret: {env: "
       "NAME}})"},
      {"a header auth format without the secret",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  auth: {type: header, header: "
       "X-Key, format: "
       "\"Token\", secret: {env: T}}\n  fetch:\n    requests: {j: {url: \"https://x.example/\"}}\n"
       "    snapshot: {vacancy: {id: /j/id}}\n",
       "5:47: api.auth.format: the format must contain {secret}"},
      {"a secret written into the file",
       "mapping_version: 1\nevents:\n  a: {vacancy_id: /id}\napi:\n  auth: {type: bearer, secret: "
       "hunter2}\n"
       "  fetch:\n    requests: {j: {url: \"https://x.example/\"}}\n    snapshot: {vacancy: {id: "
       "/j/id}}\n",
       "5:32: api.auth.secret: expected a map of keys, got a string"},
      {"write_ad without ad_at",
       "mapping_version: 1\nevents:\n  a: {snapshot: {vacancy: {id: /id}}}\napi:\n  auth: {type: "
       "bearer, secret: "
       "{env: T}}\n  write_ad: {url: \"https://x.example/{vacancy_id}\"}\n",
       "6:3: api.write_ad.ad_at: missing required key"},
      {"a signature without its source",
       "mapping_version: 1\nsignature: {secret: {env: S}}\n" + events,
       "2:1: signature.signature: missing required key"},
      {"a signature secret given twice",
       "mapping_version: 1\nsignature: {secret: {env: S, file: /s}, signature: {header: X-Sig}}\n" +
           events,
       "2:13: signature.secret: give exactly one of env or file (secrets never stand in the "
       "mapping itself)"},
      {"a signature from a template",
       "mapping_version: 1\nsignature: {secret: {env: S}, signature: {template: \"{/s}\"}}\n" +
           events,
       "2:31: signature.signature: expected {header: Name} or a JSON Pointer into the body, "
       "without transforms"},
      {"signed content with an unknown placeholder",
       "mapping_version: 1\nsignature: {secret: {env: S}, signature: /sig, signed_content: "
       "\"{ts}.{body}\"}\n" +
           events,
       "2:64: signature.signed_content: unknown placeholder {ts} (expected {/pointer}, "
       "{raw:/pointer}, {header:Name}, {header?:Name}, {json:/pointer}, {json_php:/pointer}, "
       "{body}, {timestamp})"},
      {"signed content with a timestamp nobody reads",
       "mapping_version: 1\nsignature: {secret: {env: S}, signature: /sig, signed_content: "
       "\"{timestamp}.{body}\"}\n" +
           events,
       "2:64: signature.signed_content: {timestamp} needs timestamp: {header: Name} (or a "
       "pointer, or structure.timestamp)"},
      {"signed content that signs no body",
       "mapping_version: 1\nsignature: {secret: {env: S}, signature: {header: X-S}, timestamp: "
       "{header: X-T}, "
       "signed_content: \"{timestamp}\"}\n" +
           events,
       "2:99: signature.signed_content: the signed content covers neither the body ({body}) nor "
       "the part the mapping reads ({raw:/payload}, {json:/payload}): anyone could change what "
       "the mapping reads. If the sender signs only an id or a token, say trust: sender_only "
       "(thin events only)"},
      {"an unknown signature encoding",
       "mapping_version: 1\nsignature: {secret: {env: S}, signature: /sig, encoding: base32}\n" +
           events,
       "2:58: signature.encoding: unknown value 'base32' (did you mean 'base64'?)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const std::string all = diagnostics_of(c.yaml);
    CHECK(all.find("/mem/mapping.yaml:" + c.expected + "\n") != std::string::npos);
    if (all.find("/mem/mapping.yaml:" + c.expected + "\n") == std::string::npos) MESSAGE(all);
  }
}

TEST_CASE("the factory: options, relative paths, unreadable files and secrets") {
  std::vector<mangfold::config::Diagnostic> diags;
  Files files;
  files.files["/etc/mangfold/mappings/ats.yaml"] =
      "mapping_version: 1\nsignature: {secret: {file: ../secrets/ats.key}, signature: {header: "
      "X-Sig}}\n"
      "events:\n  any: {snapshot: {vacancy: {id: /id}}}\n";
  files.files["/etc/mangfold/secrets/ats.key"] = "s3cret\n";
  mangfold::generic::AdapterDeps deps{nullptr, files.reader(), nullptr};

  SUBCASE(
      "a relative mapping path is resolved against the config's folder, a relative secret file "
      "against the mapping's") {
    std::vector<mangfold::config::Diagnostic> errors;
    auto options = mangfold::config::parse_document("mapping: mappings/ats.yaml\n",
                                                    "/etc/mangfold/mangfold.yaml", errors);
    REQUIRE(options);
    auto adapter = mangfold::generic::make_generic_adapter(*options, "tenants.acme.adapter_options",
                                                           "/etc/mangfold", deps, diags);
    CHECK(diags.empty());
    REQUIRE(adapter);
    CHECK(adapter->name() == "generic");
  }
  SUBCASE("unknown option keys and a missing mapping") {
    std::vector<mangfold::config::Diagnostic> errors;
    auto options =
        mangfold::config::parse_document("maping: x.yaml\n", "/etc/mangfold/mangfold.yaml", errors);
    CHECK_FALSE(mangfold::generic::make_generic_adapter(*options, "tenants.acme.adapter_options",
                                                        "/etc/mangfold", deps, diags));
    REQUIRE(diags.size() == 2);
    CHECK(diags[0].to_string() ==
          "/etc/mangfold/mangfold.yaml:1:1: tenants.acme.adapter_options.maping: unknown key (did "
          "you mean 'mapping'?)");
    CHECK(diags[1].to_string() ==
          "/etc/mangfold/mangfold.yaml:1:1: tenants.acme.adapter_options.mapping: missing required "
          "key");
  }
  SUBCASE("no options at all") {
    CHECK_FALSE(mangfold::generic::make_generic_adapter(
        mangfold::config::Node{}, "tenants.acme.adapter_options", "/etc", deps, diags));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].message == "adapter: generic needs adapter_options: {mapping: PATH}");
  }
  SUBCASE("an unreadable mapping file") {
    CHECK_FALSE(
        mangfold::generic::load_generic_adapter("/etc/mangfold/mappings/nope.yaml", deps, diags));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].to_string().rfind(
              "/etc/mangfold/mappings/nope.yaml:1:1: cannot read the mapping file: ", 0) == 0);
  }
  SUBCASE("a secret that cannot be read is named by its reference, never its value") {
    files.files.erase("/etc/mangfold/secrets/ats.key");
    files.files["/etc/mangfold/secrets/other"] = "x";
    mangfold::generic::AdapterDeps missing{nullptr, files.reader(), nullptr};
    CHECK_FALSE(
        mangfold::generic::load_generic_adapter("/etc/mangfold/mappings/ats.yaml", missing, diags));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].to_string().rfind("/etc/mangfold/mappings/ats.yaml:2:13: signature: the secret "
                                     "in file /etc/mangfold/secrets/ats.key cannot "
                                     "be used: ",
                                     0) == 0);
  }
  SUBCASE("check and describe") {
    CHECK(mangfold::generic::check_mapping_file("/etc/mangfold/mappings/ats.yaml", files.reader())
              .empty());
    auto summary =
        mangfold::generic::describe_mapping_file("/etc/mangfold/mappings/ats.yaml", files.reader());
    REQUIRE(summary.ok());
    CHECK(summary->verifies_signature);
    CHECK_FALSE(summary->fetches);
    CHECK(summary->event_types == 1);
    std::vector<mangfold::config::Diagnostic> errors;
    CHECK(mangfold::generic::is_mapping_file(
        *mangfold::config::parse_document("mapping_version: 1\n", "f", errors)));
    CHECK_FALSE(mangfold::generic::is_mapping_file(
        *mangfold::config::parse_document("id: oslo\n", "f", errors)));
  }
}

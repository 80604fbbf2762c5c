// IdleReaper: the thread that deletes the store's idle ephemeral sessions
// (SessionStore::ReapIdle) a few times per --ephemeral_session_ttl, so that
// sessions a client forgot (a notebook closed without deleting its
// state_dict's session) give their memory back.
#ifndef SORN_SERVER_SESSIONS_IDLE_REAPER_H_
#define SORN_SERVER_SESSIONS_IDLE_REAPER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/sessions/session_store.h"

namespace sorn::server {

// Owned by the server process; its destructor stops and joins the thread.
// Thread-safe (it only calls the store, which is).
class IdleReaper {
 public:
  // `store` outlives the reaper. `report` gets one line per deleted session.
  // REQUIRES: ttl > 0.
  IdleReaper(SessionStore* store, std::chrono::seconds ttl,
             std::function<void(const std::string&)> report);
  ~IdleReaper();
  IdleReaper(const IdleReaper&) = delete;
  IdleReaper& operator=(const IdleReaper&) = delete;

 private:
  void Loop();

  SessionStore* const store_;
  const std::chrono::seconds ttl_;
  const std::function<void(const std::string&)> report_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;   // guarded by mu_.
  std::thread thread_;  // last: starts once the rest is set.
};

}  // namespace sorn::server

#endif  // SORN_SERVER_SESSIONS_IDLE_REAPER_H_

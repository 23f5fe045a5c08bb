/**
 * The admin API's logic, independent of any HTTP server: {@link io.iris.engine.admin.AdminApi} answers
 * {@code /admin/*} requests (sessions, disconnect, revoke, drain, config, overload) as JSON, through the
 * {@link io.iris.engine.admin.EngineControl} operations of a running engine.
 */
package io.iris.engine.admin;

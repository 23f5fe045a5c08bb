/** The counters registry every Iris component updates and metrics exporters read. */
package io.iris.api.counters;

/** {@code discovery=dns}: members from DNS SRV (or A/AAAA) records, re-resolved on an interval. */
package io.iris.discovery.dns;

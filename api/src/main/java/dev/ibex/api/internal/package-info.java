/** Helpers shared inside the core (JSON, atomic files); not exported. */
package dev.ibex.api.internal;

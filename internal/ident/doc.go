// Package ident parses, validates and masks the two identifiers the registry
// is keyed by: the 18-character resident identity number (GB 11643-1999) and
// the 18-character unified social credit code of an organisation
// (GB 32100-2015). It also holds the region table (GB/T 2260) that names the
// province and county encoded in an ID number, and generates well-formed
// numbers of both kinds for demo and test data.
//
// It is the one place that knows the two formats: a number it refuses comes
// with an *IDError or *USCCError naming the check failed, which callers
// (the import's reasons, the web forms) put in their own words.
package ident

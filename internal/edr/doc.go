// Package edr defines Herald's event data records (reference 001 section
// 11.2): one record per outbound (MT) and inbound (MO) message, with the
// columns the EDR page shows and the CSV and XLSX exports write.
//
// The columns are defined once, in Columns, and shared by the portal's EDR
// page, the API and both export formats. The writers take the rows from a
// callback-driven cursor (Source) and write them one at a time, so the
// memory an export needs does not grow with the number of records.
package edr

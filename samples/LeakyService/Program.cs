// STUB: replaced by the sample work.
return 0;

  \i other.sql
